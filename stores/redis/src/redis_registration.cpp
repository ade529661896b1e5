// Registers the Redis store with `open_store`, and the full check of `store.url` with
// the settings reader, while the program starts. The target vigil::redis makes every
// program that links it keep this object (it links with
// `--undefined=vigil_redis_store_linked`), so no call needs to pull it in.
#include "redis_store.hpp"
#include "vigil/config/store_settings.hpp"
#include "vigil/stores/redis_url.hpp"
#include "vigil/stores/store_opener.hpp"

extern "C" {
extern const char vigil_redis_store_linked;
const char vigil_redis_store_linked = 1;
}

namespace {

bool full_url_check(const std::string& url, std::string& why) {
  vigil::redis_endpoint ep;
  return vigil::parse_redis_url(url, ep, why);
}

const bool registered = [] {
  vigil::register_store_opener(vigil::store_kind::redis,
                               &vigil::detail::open_redis_store);
  vigil::set_redis_url_check(&full_url_check);
  return true;
}();

} // namespace
