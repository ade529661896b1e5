// The Redis store's URL, `redis://HOST[:PORT][/DB]`: part of the Redis component
// (vigil::redis), which brings Boost.URL; the core checks only the scheme.
#pragma once

#include <cstdint>
#include <string>

namespace vigil {

/// The parts of a redis URL.
struct redis_endpoint {
  std::string host;
  uint16_t port = 6379;
  int db = 0;
};

/// Parses `redis://HOST[:PORT][/DB]` (RFC 3986, by Boost.URL): HOST a name, an IPv4
/// address or a bracketed IPv6 one; no user, password, query or fragment. False, with
/// `why` saying what was expected and what was found, when it is not one; `out` is
/// then unchanged.
bool parse_redis_url(const std::string& url, redis_endpoint& out, std::string& why);

} // namespace vigil
