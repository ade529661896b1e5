#include "vigil/messages/backoff.hpp"

#include <chrono>
#include <limits>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using vigil::backoff;
using vigil::duration;

TEST(Backoff, DoublesFromMinimumUpToMaximum) {
  backoff b{100ms, 1s};
  EXPECT_EQ(b.failures(), 0u);
  EXPECT_EQ(b.next(), duration{100ms});
  EXPECT_EQ(b.next(), duration{200ms});
  EXPECT_EQ(b.next(), duration{400ms});
  EXPECT_EQ(b.next(), duration{800ms});
  EXPECT_EQ(b.next(), duration{1s}); // capped, not 1.6 s
  EXPECT_EQ(b.next(), duration{1s});
  EXPECT_EQ(b.failures(), 6u);
}

TEST(Backoff, ResetStartsAgainAtMinimum) {
  backoff b{100ms, 5s};
  b.next();
  b.next();
  b.reset();
  EXPECT_EQ(b.failures(), 0u);
  EXPECT_EQ(b.next(), duration{100ms});
  EXPECT_EQ(b.failures(), 1u);
}

TEST(Backoff, StaysAtMaximumWithoutOverflowing) {
  auto huge = duration{std::numeric_limits<duration::rep>::max()};
  backoff b{1ns, huge};
  for (int i = 0; i < 200; ++i)
    EXPECT_GT(b.next(), duration::zero()) << i;
  EXPECT_EQ(b.next(), huge);
}

TEST(Backoff, NonsenseBoundsAreRaised) {
  backoff b{-5s, 1s}; // min raised to 1 ns
  EXPECT_EQ(b.next(), duration{1ns});
  backoff c{2s, 1s}; // max raised to min
  EXPECT_EQ(c.next(), duration{2s});
  EXPECT_EQ(c.next(), duration{2s});
}
