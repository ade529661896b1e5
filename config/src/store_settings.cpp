// The store's words, and the check of a redis URL where settings are read: the scheme
// here; the full parse (Boost.URL) belongs to the Redis store, which installs it.
#include "vigil/config/store_settings.hpp"

#include <string_view>

#include "vigil/messages/detail/words.hpp"

namespace vigil {

namespace {

constexpr detail::word<store_kind> store_kind_words[] = {
    {store_kind::none, "none"},
    {store_kind::sqlite, "sqlite"},
    {store_kind::redis, "redis"},
};
static_assert(detail::in_enum_order(store_kind_words));

constexpr std::string_view scheme = "redis://";

/// Set while the program starts (by vigil::redis), read after: no lock.
redis_url_check full_check = nullptr;

} // namespace

std::string to_string(store_kind x) {
  return detail::word_of(store_kind_words, x, "store_kind");
}

bool check_redis_url(const std::string& url, std::string& why) {
  if (url.compare(0, scheme.size(), scheme) != 0) {
    why = "it must start with redis://";
    return false;
  }
  return full_check == nullptr || full_check(url, why);
}

void set_redis_url_check(redis_url_check check) noexcept {
  full_check = check;
}

} // namespace vigil
