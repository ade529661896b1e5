// Fuzz harness: the Redis store URL (`parse_redis_url`, "store"/"url" in settings and
// vigil-node's --store). On success the parts must keep the documented shape
// `redis://HOST[:PORT][/DB]` and read back the same (an IPv6 HOST comes without its
// brackets and goes back in them); a failure must say why.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "vigil/stores/redis_url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string url{reinterpret_cast<const char*>(data), size};
  vigil::redis_endpoint out;
  std::string why;
  if (!vigil::parse_redis_url(url, out, why)) {
    if (why.empty())
      std::abort(); // refused without a reason
    return 0;
  }
  if (url.rfind("redis://", 0) != 0 || out.host.empty() ||
      out.host.find('/') != std::string::npos || out.port == 0 || out.db < 0 ||
      out.db > 1000)
    std::abort();
  // The parts, written back in the documented form, parse to the same parts.
  bool ipv6 = out.host.find(':') != std::string::npos;
  auto host = ipv6 ? "[" + out.host + "]" : out.host;
  auto again =
      "redis://" + host + ":" + std::to_string(out.port) + "/" + std::to_string(out.db);
  vigil::redis_endpoint back;
  if (!vigil::parse_redis_url(again, back, why) || back.host != out.host ||
      back.port != out.port || back.db != out.db)
    std::abort();
  return 0;
}
