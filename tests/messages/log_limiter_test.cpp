// The limiter behind every log line a peer can cause: a burst per key and period, then
// a count of what it held back; a bounded number of keys.
#include "vigil/messages/log_limiter.hpp"

#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

TEST(LogLimiter, ABurstPerPeriodThenTheCountOfWhatWasHeldBack) {
  log_limiter limit{1s, 16, 3};
  time_point t0{};
  uint64_t held = 99;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limit.allow("k", t0, held));
    EXPECT_EQ(held, 0u);
  }
  EXPECT_FALSE(limit.allow("k", t0, held));
  EXPECT_FALSE(limit.allow("k", t0 + 1s - 1ns, held));
  EXPECT_TRUE(limit.allow("other", t0, held));  // keys count apart
  ASSERT_TRUE(limit.allow("k", t0 + 1s, held)); // a new period
  EXPECT_EQ(held, 2u);
  EXPECT_TRUE(limit.allow("k", t0 + 1s, held));
  EXPECT_EQ(held, 0u);
}

TEST(LogLimiter, OneLinePerPeriodByDefault) {
  log_limiter limit;
  time_point t0{};
  uint64_t held = 0;
  EXPECT_TRUE(limit.allow("k", t0, held));
  EXPECT_FALSE(limit.allow("k", t0 + 999ms, held));
  EXPECT_TRUE(limit.allow("k", t0 + 1s, held));
  EXPECT_EQ(held, 1u);
}

TEST(LogLimiter, KeysAreBoundedAndNewOnesShareOneWhenNoneIsQuiet) {
  log_limiter limit{1s, 4};
  time_point t0{};
  uint64_t held = 0;
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(limit.allow("peer" + std::to_string(i), t0, held));
  for (int i = 0; i < 4; ++i) // each holds one back: none may be forgotten
    EXPECT_FALSE(limit.allow("peer" + std::to_string(i), t0, held));
  EXPECT_TRUE(limit.allow("peer-new-1", t0, held)); // "(other peers)"
  EXPECT_FALSE(limit.allow("peer-new-2", t0, held));
  EXPECT_EQ(limit.size(), 5u);
  for (int i = 0; i < 1000; ++i)
    limit.allow("flood" + std::to_string(i), t0, held);
  EXPECT_EQ(limit.size(), 5u);
}
