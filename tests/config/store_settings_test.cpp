// The redis URL where settings are read: the scheme always; the rest (Boost.URL) with
// the Redis store, which installs its check (VIGIL_TEST_WITH_REDIS: this suite links
// it).
#include "vigil/config/store_settings.hpp"

#include <string>

#include <gtest/gtest.h>

using vigil::check_redis_url;

TEST(StoreSettings, ARedisUrlStartsWithItsScheme) {
  std::string why;
  EXPECT_FALSE(check_redis_url("http://localhost", why));
  EXPECT_EQ(why, "it must start with redis://");
  EXPECT_TRUE(check_redis_url("redis://127.0.0.1:6379/0", why)) << why;
}

#ifdef VIGIL_TEST_WITH_REDIS
TEST(StoreSettings, TheRedisStoreChecksTheRestOfTheUrl) {
  std::string why;
  EXPECT_FALSE(check_redis_url("redis://h:99999/0", why));
  EXPECT_EQ(why, "the port must be a number from 1 to 65535");
}
#endif

TEST(StoreSettings, KindsHaveTheirJsonWords) {
  EXPECT_EQ(to_string(vigil::store_kind::none), "none");
  EXPECT_EQ(to_string(vigil::store_kind::sqlite), "sqlite");
  EXPECT_EQ(to_string(vigil::store_kind::redis), "redis");
}
