#include "vigil/stores/redis_url.hpp"

#include <string>

#include <gtest/gtest.h>

using vigil::parse_redis_url;
using vigil::redis_endpoint;

namespace {

redis_endpoint parse_ok(const std::string& url) {
  redis_endpoint ep;
  std::string why;
  EXPECT_TRUE(parse_redis_url(url, ep, why)) << url << ": " << why;
  return ep;
}

/// Why `url` is refused ("" when it is not).
std::string refusal(const std::string& url) {
  redis_endpoint ep;
  ep.host = "unchanged";
  std::string why;
  if (parse_redis_url(url, ep, why))
    return "";
  EXPECT_EQ(ep.host, "unchanged") << url;
  return why;
}

} // namespace

TEST(RedisUrl, TakesHostPortAndDatabase) {
  auto ep = parse_ok("redis://10.0.0.5:6380/3");
  EXPECT_EQ(ep.host, "10.0.0.5");
  EXPECT_EQ(ep.port, 6380);
  EXPECT_EQ(ep.db, 3);
}

TEST(RedisUrl, PortAndDatabaseHaveDefaults) {
  auto ep = parse_ok("redis://cache-1.example.org");
  EXPECT_EQ(ep.host, "cache-1.example.org");
  EXPECT_EQ(ep.port, 6379);
  EXPECT_EQ(ep.db, 0);
}

TEST(RedisUrl, TakesABracketedIpv6Address) {
  auto ep = parse_ok("redis://[::1]:7000/1000");
  EXPECT_EQ(ep.host, "::1"); // as hiredis takes it
  EXPECT_EQ(ep.port, 7000);
  EXPECT_EQ(ep.db, 1000);
}

TEST(RedisUrl, PortBoundsAreOneAnd65535) {
  EXPECT_EQ(parse_ok("redis://h:1").port, 1);
  EXPECT_EQ(parse_ok("redis://h:65535").port, 65535);
  for (auto url : {"redis://h:0/0", "redis://h:65536/0", "redis://h:99999/0",
                   "redis://h:/0", "redis://h:99999999999999999999/0"})
    EXPECT_EQ(refusal(url), "the port must be a number from 1 to 65535") << url;
}

TEST(RedisUrl, DatabaseIsANumberFromZeroTo1000) {
  EXPECT_EQ(refusal("redis://h:6379/1001"),
            R"(the database after / must be a number from 0 to 1000, found "/1001")");
  EXPECT_EQ(refusal("redis://h/"),
            R"(the database after / must be a number from 0 to 1000, found "/")");
  EXPECT_EQ(refusal("redis://h/1/2"),
            R"(the database after / must be a number from 0 to 1000, found "/1/2")");
  EXPECT_EQ(refusal("redis://h/-1"),
            R"(the database after / must be a number from 0 to 1000, found "/-1")");
}

TEST(RedisUrl, RefusalsSayWhatWasExpectedAndFound) {
  EXPECT_EQ(refusal("http://localhost"), "it must start with redis://");
  EXPECT_EQ(refusal("REDIS://h"), "it must start with redis://");
  EXPECT_EQ(refusal("redis:///0"), "no host");
  EXPECT_EQ(refusal("redis://h?db=1"),
            R"(expected nothing after the database, found the query "db=1")");
  EXPECT_EQ(refusal("redis://h/0#top"),
            R"(expected nothing after the database, found the fragment "top")");
  EXPECT_EQ(
      refusal("redis://h%2Fx/0"),
      R"(expected a host name of letters, digits, '.', '-' and '_', found "h%2Fx")");
  EXPECT_EQ(refusal("redis://a b/0").rfind("expected URL syntax (RFC 3986)", 0), 0u);
}

TEST(RedisUrl, APasswordIsRefusedWithoutBeingRepeated) {
  auto why = refusal("redis://:s3cret@h:6379/0");
  EXPECT_NE(why.find("expected no user or password"), std::string::npos) << why;
  EXPECT_EQ(why.find("s3cret"), std::string::npos) << why;
  EXPECT_NE(refusal("redis://user@h/0"), "");
}
