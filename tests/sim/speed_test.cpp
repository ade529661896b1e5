// Time scaling for --realtime --speed: one function, to the nearest nanosecond, and
// events back in scenario time.
#include "speed.hpp"

#include <chrono>

#include <gtest/gtest.h>

using namespace vigil;
using namespace vigil::sim;
using namespace std::chrono_literals;

TEST(Speed, ScalesToTheNearestNanosecond) {
  EXPECT_EQ(scaled(30s, 1.0 / 10), duration{3s});
  EXPECT_EQ(scaled(3s, 10.0), duration{30s});
  EXPECT_EQ(scaled(duration{10}, 1.0 / 3), duration{3}); // 3.33 ns
  EXPECT_EQ(scaled(duration{20}, 1.0 / 3), duration{7}); // 6.67 ns, not 6
}

TEST(Speed, ASpanTooLongForNanosecondsStaysTheLongestOne) {
  auto days_200 = duration{std::chrono::hours(24 * 200)};
  EXPECT_EQ(scaled(days_200, 1.0 / 0.0001), duration::max());
  EXPECT_EQ(scaled(-days_200, 1.0 / 0.0001), duration::min());
  EXPECT_EQ(scaled(duration::max(), 1.0), duration::max());
  EXPECT_GT(scaled(days_200, 1.0 / 0.01), duration::zero()); // 55 years: still fits
}

TEST(Speed, AFasterScenarioAndItsEventsBackInScenarioTime) {
  scenario s;
  s.until = 1h;
  s.config.supervisor.heartbeat.timeout = 30s;
  auto fast = faster(s, 10);
  EXPECT_EQ(fast.until, duration{6min});
  EXPECT_EQ(fast.config.supervisor.heartbeat.timeout, duration{3s});
  auto start = time_point{} + 1h;
  event e;
  e.at = start + 3s;
  e.recovery_at = start + 6s;
  e.waited = 1500ms;
  auto x = slower(e, start, 10);
  EXPECT_EQ(x.at, start + 30s);
  EXPECT_EQ(x.recovery_at, start + 60s);
  EXPECT_EQ(x.waited, duration{15s});
}

TEST(Speed, ATypesOwnKeysScaleAndTheOnesItInheritsFollowTheScaledGlobals) {
  scenario s;
  auto& sup = s.config.supervisor;
  sup.heartbeat.check_interval = 5s;
  sup.watchdog.idle_timeout = 10min;
  sup.types["coder"].heartbeat.timeout = 2min;
  sup.types["coder"].heartbeat.max_missed = 7; // a count: not scaled
  sup.types["coder"].watchdog.max_session = 1h;
  sup.types["coder"].watchdog.drain_window = vigil::off;
  auto fast = faster(s, 10).config.supervisor;
  auto& own = fast.types.at("coder");
  EXPECT_FALSE(own.heartbeat.check_interval.is_set()); // still inherited
  EXPECT_FALSE(own.watchdog.idle_timeout.is_set());
  auto coder = fast.resolved("coder");
  EXPECT_EQ(coder.heartbeat.timeout, duration{12s});
  EXPECT_EQ(coder.heartbeat.check_interval, duration{500ms});
  EXPECT_EQ(coder.heartbeat.max_missed, 7);
  EXPECT_EQ(coder.watchdog.max_session, std::optional<duration>{6min});
  EXPECT_EQ(coder.watchdog.idle_timeout, std::optional<duration>{1min});
  EXPECT_FALSE(coder.watchdog.drain_window); // off stays off
}

TEST(Speed, RestartSpansScaleAndTheRateRunsFaster) {
  scenario s;
  auto& sup = s.config.supervisor;
  sup.restart.backoff.min = 1s;
  sup.restart.backoff.max = 1min;
  sup.restart.backoff.factor = 2;
  sup.restart.intensity = restart_intensity{5, 1min};
  sup.restart_rate = restart_rate_settings{2, 2};
  sup.offline_retention = 30s;
  sup.types["coder"].restart.backoff.min = 2s;
  sup.types["coder"].restart.wait_for_spawner = vigil::off;
  sup.types["coder"].offline_retention = 10s;
  auto fast = faster(s, 10).config.supervisor;
  auto r = fast.restart_for("other");
  EXPECT_EQ(r.backoff.min, duration{100ms});
  EXPECT_EQ(r.backoff.max, duration{6s});
  EXPECT_EQ(r.backoff.factor, 2.0); // a ratio
  EXPECT_EQ(r.reset_after, std::optional<duration>{1min});
  EXPECT_EQ(r.intensity, (std::optional<restart_intensity>{{5, 6s}}));
  EXPECT_EQ(r.wait_for_spawner, std::optional<duration>{30s});
  EXPECT_EQ(fast.restart_rate->per_second, 20.0);
  EXPECT_EQ(fast.restart_rate->burst, 2u);
  EXPECT_EQ(fast.offline_retention, std::optional<duration>{3s});
  auto coder = fast.resolved("coder");
  EXPECT_EQ(coder.restart.backoff.min, duration{200ms});
  EXPECT_EQ(coder.restart.backoff.max, duration{6s}); // the scaled global
  EXPECT_FALSE(coder.restart.wait_for_spawner);       // off stays off
  EXPECT_EQ(coder.offline_retention, std::optional<duration>{1s});
  // A restart event back in scenario time.
  auto start = time_point{} + 1h;
  event e;
  e.kind = event_kind::restart_scheduled;
  e.at = start + 1s;
  e.delay = 200ms;
  e.due = start + 1200ms;
  auto x = slower(e, start, 10);
  EXPECT_EQ(x.delay, duration{2s});
  EXPECT_EQ(x.due, caf::optional<time_point>{start + 12s});
}
