#include "vigil/config/store_settings.hpp"

#include <cstdlib>

namespace vigil {

std::string to_string(store_kind x) {
  switch (x) {
  case store_kind::none:
    return "none";
  case store_kind::sqlite:
    return "sqlite";
  case store_kind::redis:
    return "redis";
  }
  return "?";
}

bool parse_redis_url(const std::string& url, redis_endpoint& out, std::string& why) {
  const std::string scheme = "redis://";
  if (url.compare(0, scheme.size(), scheme) != 0) {
    why = "it must start with redis://";
    return false;
  }
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  auto hostport = rest.substr(0, slash);
  if (slash != std::string::npos) {
    auto db = rest.substr(slash + 1);
    char* end = nullptr;
    auto n = std::strtol(db.c_str(), &end, 10);
    if (db.empty() || *end != '\0' || n < 0 || n > 1000) {
      why = "the database after / must be a number";
      return false;
    }
    out.db = static_cast<int>(n);
  }
  auto colon = hostport.rfind(':');
  out.host = hostport.substr(0, colon);
  if (out.host.empty()) {
    why = "no host";
    return false;
  }
  if (colon != std::string::npos) {
    auto port = hostport.substr(colon + 1);
    char* end = nullptr;
    auto n = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || n < 1 || n > 65535) {
      why = "the port must be a number from 1 to 65535";
      return false;
    }
    out.port = static_cast<uint16_t>(n);
  }
  return true;
}

} // namespace vigil
