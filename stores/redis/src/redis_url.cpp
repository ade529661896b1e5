// The Redis URL: parsed by Boost.URL (RFC 3986), then held to the one shape vigil
// connects with, `redis://HOST[:PORT][/DB]`.
#include "vigil/stores/redis_url.hpp"

#include <charconv>
#include <string_view>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace vigil {

namespace {

constexpr std::string_view scheme = "redis://";
constexpr int max_db = 1000; // far above Redis's default of 16 databases

/// `text` as a number from `lo` to `hi`: digits only (leading zeros allowed).
bool number_in(std::string_view text, long lo, long hi, long& out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && out >= lo &&
         out <= hi;
}

/// A host name hiredis can resolve, as it stands in the URL (no %-escapes).
bool plain_host_name(std::string_view x) {
  return x.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789.-_") == std::string_view::npos;
}

std::string quoted(std::string_view x) {
  return "\"" + std::string{x} + "\"";
}

} // namespace

bool parse_redis_url(const std::string& url, redis_endpoint& out, std::string& why) {
  auto fail = [&](std::string text) {
    why = std::move(text);
    return false;
  };
  if (url.compare(0, scheme.size(), scheme) != 0)
    return fail("it must start with redis://");
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed)
    return fail("expected URL syntax (RFC 3986), found an error: " +
                parsed.error().message());
  auto u = *parsed;
  if (u.has_userinfo()) // the password, if any, is not repeated in the error
    return fail("expected no user or password before the host (vigil does not log "
                "in to Redis), found one");
  if (u.has_query())
    return fail("expected nothing after the database, found the query " +
                quoted(u.encoded_query()));
  if (u.has_fragment())
    return fail("expected nothing after the database, found the fragment " +
                quoted(u.encoded_fragment()));
  redis_endpoint ep;
  switch (u.host_type()) {
  case boost::urls::host_type::ipv4:
  case boost::urls::host_type::ipv6: // without its brackets, as hiredis takes it
    ep.host = u.host_address();
    break;
  case boost::urls::host_type::name:
    if (!plain_host_name(u.encoded_host()))
      return fail("expected a host name of letters, digits, '.', '-' and '_', found " +
                  quoted(u.encoded_host()));
    ep.host = u.encoded_host();
    break;
  default:
    return fail("expected a host name or an IP address, found " +
                quoted(u.encoded_host()));
  }
  if (ep.host.empty())
    return fail("no host");
  if (u.has_port()) {
    long port = 0;
    if (!number_in(u.port(), 1, 65535, port))
      return fail("the port must be a number from 1 to 65535");
    ep.port = static_cast<uint16_t>(port);
  }
  auto path = std::string_view{u.encoded_path()};
  if (!path.empty()) { // "/DB"
    long db = 0;
    if (path.front() != '/' || !number_in(path.substr(1), 0, max_db, db))
      return fail("the database after / must be a number from 0 to " +
                  std::to_string(max_db) + ", found " + quoted(path));
    ep.db = static_cast<int>(db);
  }
  out = std::move(ep);
  return true;
}

} // namespace vigil
