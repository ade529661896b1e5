#include "vigil/supervisors/restart_policy.hpp"

#include <chrono>
#include <random>

#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

const auto t0 = time_point{} + 1h; // any fixed instant

using outcome = restart_decision::outcome;

restart_settings permanent_exact() {
  restart_settings x;
  x.policy = restart_mode::permanent;
  x.backoff.min = 1s;
  x.backoff.max = 30s;
  x.backoff.factor = 2;
  x.backoff.jitter = 0;
  x.reset_after = std::nullopt;
  return x;
}

} // namespace

TEST(RestartPolicy, DelaysDoubleFromMinAndStopAtMax) {
  auto cfg = permanent_exact();
  restart_policy p{cfg};
  EXPECT_EQ(p.nominal_delay(1), 1s);
  EXPECT_EQ(p.nominal_delay(2), 2s);
  EXPECT_EQ(p.nominal_delay(3), 4s);
  EXPECT_EQ(p.nominal_delay(4), 8s);
  EXPECT_EQ(p.nominal_delay(5), 16s);
  EXPECT_EQ(p.nominal_delay(6), 30s); // 32 s capped
  EXPECT_EQ(p.nominal_delay(1000), 30s);
  EXPECT_EQ(p.nominal_delay(UINT32_MAX), 30s); // no overflow for huge n
}

TEST(RestartPolicy, NonIntegerFactorIsExactToTheNanosecond) {
  auto cfg = permanent_exact();
  cfg.backoff.factor = 1.5;
  cfg.backoff.max = 1h;
  restart_policy p{cfg};
  EXPECT_EQ(p.nominal_delay(1), 1s);
  EXPECT_EQ(p.nominal_delay(2), 1500ms);
  EXPECT_EQ(p.nominal_delay(3), 2250ms);
  EXPECT_EQ(p.nominal_delay(4), 3375ms);
  EXPECT_EQ(p.nominal_delay(UINT32_MAX), 1h);
}

TEST(RestartPolicy, ConsecutiveEndsScheduleOneTwoFourSeconds) {
  auto cfg = permanent_exact();
  restart_policy p{cfg};
  restart_history h;
  std::mt19937_64 rng{1};
  auto now = t0;
  for (auto want : {1s, 2s, 4s, 8s}) {
    auto d = p.on_end(h, agent_state::failed, "crashed", now - 1s, now, rng);
    ASSERT_EQ(d.what, outcome::scheduled);
    EXPECT_EQ(d.delay, want);
    EXPECT_EQ(d.due, now + want);
    now = d.due + 1s;
  }
  EXPECT_EQ(h.in_a_row, 4u);
}

TEST(RestartPolicy, ZeroJitterIsExactAndJitterStaysWithinBounds) {
  auto cfg = permanent_exact();
  cfg.backoff.min = 10s;
  cfg.backoff.max = 10s;
  cfg.backoff.jitter = 0.2;
  restart_policy p{cfg};
  std::mt19937_64 rng{42};
  duration lowest = 10s;
  duration highest = 0s;
  for (int i = 0; i < 10000; ++i) {
    restart_history h;
    auto d = p.on_end(h, agent_state::failed, "crashed", t0, t0, rng);
    ASSERT_EQ(d.what, outcome::scheduled);
    ASSERT_GE(d.delay, 8s);
    ASSERT_LE(d.delay, 10s);
    EXPECT_EQ(d.due, t0 + d.delay);
    lowest = std::min(lowest, d.delay);
    highest = std::max(highest, d.delay);
  }
  // The draws spread over the range, not one point of it.
  EXPECT_LT(lowest, 8100ms);
  EXPECT_GT(highest, 9900ms);
  cfg.backoff.jitter = 0.0;
  for (int i = 0; i < 100; ++i) {
    restart_history h;
    EXPECT_EQ(p.on_end(h, agent_state::failed, "crashed", t0, t0, rng).delay, 10s);
  }
}

TEST(RestartPolicy, SameSeedSameDraws) {
  auto cfg = permanent_exact();
  cfg.backoff.jitter = 0.5;
  restart_policy p{cfg};
  std::mt19937_64 a{7};
  std::mt19937_64 b{7};
  for (int i = 0; i < 20; ++i) {
    restart_history ha;
    restart_history hb;
    EXPECT_EQ(p.on_end(ha, agent_state::failed, "x", t0, t0, a).delay,
              p.on_end(hb, agent_state::failed, "x", t0, t0, b).delay);
  }
}

TEST(RestartPolicy, ResetAfterExactlyResetAfterAndNotOneNanosecondBefore) {
  auto cfg = permanent_exact();
  cfg.reset_after = 10min;
  restart_policy p{cfg};
  std::mt19937_64 rng{1};
  restart_history h;
  h.in_a_row = 3; // next would be 8 s
  auto before = h;
  auto d = p.on_end(before, agent_state::failed, "crashed", t0, t0 + 10min - 1ns, rng);
  EXPECT_EQ(d.attempt, 4u);
  EXPECT_EQ(d.delay, 8s);
  d = p.on_end(h, agent_state::failed, "crashed", t0, t0 + 10min, rng);
  EXPECT_EQ(d.attempt, 1u);
  EXPECT_EQ(d.delay, 1s);
}

TEST(RestartPolicy, IntensityRefusesTheMaxPlusFirstWithinPeriod) {
  auto cfg = permanent_exact();
  cfg.intensity = restart_intensity{3, 1min};
  restart_policy p{cfg};
  std::mt19937_64 rng{1};
  restart_history h;
  auto first = t0;
  EXPECT_EQ(p.on_end(h, agent_state::failed, "crashed", t0, first, rng).what,
            outcome::scheduled);
  EXPECT_EQ(p.on_end(h, agent_state::failed, "crashed", t0, t0 + 10s, rng).what,
            outcome::scheduled);
  // The max-th is allowed.
  EXPECT_EQ(p.on_end(h, agent_state::failed, "crashed", t0, t0 + 20s, rng).what,
            outcome::scheduled);
  // The (max+1)-th 1 ns before the first leaves the window is refused...
  auto copy = h;
  auto d = p.on_end(copy, agent_state::failed, "crashed", t0, first + 1min - 1ns, rng);
  EXPECT_EQ(d.what, outcome::gave_up);
  EXPECT_EQ(d.reason, "intensity");
  EXPECT_EQ(copy.in_a_row, 3u); // a refusal changes nothing
  // ...and allowed exactly `period` after the first: the window is (now - period, now].
  d = p.on_end(h, agent_state::failed, "crashed", t0, first + 1min, rng);
  EXPECT_EQ(d.what, outcome::scheduled);
  EXPECT_EQ(h.recent.size(), 3u);
}

TEST(RestartPolicy, PermanentRestartsAfterEveryEndButKillCommandAndNodeShutdown) {
  auto cfg = permanent_exact();
  restart_policy p{cfg};
  EXPECT_TRUE(p.wants(agent_state::completed, "completed"));
  EXPECT_TRUE(p.wants(agent_state::failed, "crashed"));
  EXPECT_TRUE(p.wants(agent_state::killed, "exit:user_shutdown"));
  EXPECT_FALSE(p.wants(agent_state::killed, "kill_command"));
  EXPECT_FALSE(p.wants(agent_state::killed, "node_shutdown"));
  EXPECT_FALSE(p.wants(agent_state::offline, "node_unreachable:n1"));
  EXPECT_FALSE(p.wants(agent_state::idle, "x"));
}

TEST(RestartPolicy, TransientOnlyAfterFailedAndTemporaryNever) {
  auto cfg = permanent_exact();
  cfg.policy = restart_mode::transient;
  restart_policy p{cfg};
  EXPECT_TRUE(p.wants(agent_state::failed, "crashed"));
  EXPECT_TRUE(p.wants(agent_state::failed, "lost"));
  EXPECT_TRUE(p.wants(agent_state::failed, "watchdog"));
  EXPECT_FALSE(p.wants(agent_state::completed, "completed"));
  EXPECT_FALSE(p.wants(agent_state::killed, "exit:user_shutdown"));
  cfg.policy = restart_mode::temporary;
  EXPECT_FALSE(p.wants(agent_state::failed, "crashed"));
  EXPECT_FALSE(p.wants(agent_state::completed, "completed"));
  restart_history h;
  std::mt19937_64 rng{1};
  EXPECT_EQ(p.on_end(h, agent_state::failed, "crashed", t0, t0, rng).what,
            outcome::none);
}

TEST(RestartRateLimiter, BurstAtOnceThenOnePerIntervalExactly) {
  restart_rate_settings cfg{2, 2}; // 2 per second, burst 2
  restart_rate_limiter b{cfg};
  EXPECT_EQ(b.interval(), 500ms);
  EXPECT_TRUE(b.try_take(t0));
  EXPECT_TRUE(b.try_take(t0));
  EXPECT_FALSE(b.try_take(t0));
  EXPECT_EQ(b.next_token(t0), t0 + 500ms);
  EXPECT_FALSE(b.try_take(t0 + 500ms - 1ns));
  EXPECT_TRUE(b.try_take(t0 + 500ms));
  EXPECT_EQ(b.next_token(t0 + 500ms), t0 + 1s);
  EXPECT_FALSE(b.try_take(t0 + 1s - 1ns));
  EXPECT_TRUE(b.try_take(t0 + 1s));
}

TEST(RestartRateLimiter, IdleTimeRefillsAtMostBurst) {
  restart_rate_settings cfg{10, 3};
  restart_rate_limiter b{cfg};
  EXPECT_TRUE(b.try_take(t0));
  auto later = t0 + 1h;
  EXPECT_EQ(b.next_token(later), later);
  EXPECT_TRUE(b.try_take(later));
  EXPECT_TRUE(b.try_take(later));
  EXPECT_TRUE(b.try_take(later));
  EXPECT_FALSE(b.try_take(later));
  EXPECT_EQ(b.next_token(later), later + 100ms);
}

TEST(RestartRateLimiter, IntervalRoundsToTheNanosecond) {
  restart_rate_settings cfg{3, 1};
  restart_rate_limiter b{cfg};
  EXPECT_EQ(b.interval(), 333333333ns);
  EXPECT_TRUE(b.try_take(t0));
  EXPECT_FALSE(b.try_take(t0 + 333333332ns));
  EXPECT_TRUE(b.try_take(t0 + 333333333ns));
}
