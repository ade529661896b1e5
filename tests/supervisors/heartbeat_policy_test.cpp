#include "vigil/supervisors/heartbeat_policy.hpp"

#include <chrono>

#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

const auto t0 = time_point{} + 1h; // any fixed instant

heartbeat_settings settings(duration timeout, duration check, int max_missed,
                            duration lag_grace = 2s) {
  heartbeat_settings x;
  x.timeout = timeout;
  x.check_interval = check;
  x.max_missed = max_missed;
  x.lag_grace = lag_grace;
  return x;
}

} // namespace

TEST(HeartbeatPolicy, OfflineAtTimeoutPlusTwoCheckIntervals) {
  auto cfg = settings(30s, 5s, 3);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.next_deadline(), t0 + 30s);
  EXPECT_EQ(p.check(t0 + 30s - 1ns), liveness::alive);
  EXPECT_EQ(p.check(t0 + 30s), liveness::missed);
  EXPECT_EQ(p.missed(), 1);
  EXPECT_EQ(p.next_deadline(), t0 + 35s);
  EXPECT_EQ(p.check(t0 + 35s - 1ns), liveness::alive);
  EXPECT_EQ(p.check(t0 + 35s), liveness::missed);
  EXPECT_EQ(p.missed(), 2);
  EXPECT_EQ(p.check(t0 + 40s - 1ns), liveness::alive);
  EXPECT_EQ(p.check(t0 + 40s), liveness::offline);
  EXPECT_EQ(p.missed(), 3);
}

TEST(HeartbeatPolicy, MaxMissedOneIsThePlainTimeoutRule) {
  auto cfg = settings(3s, 1s, 1);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 3s - 1ns), liveness::alive);
  EXPECT_EQ(p.check(t0 + 3s), liveness::offline);
}

TEST(HeartbeatPolicy, BeatResetsTheCountAndMovesTheDeadline) {
  auto cfg = settings(30s, 5s, 3);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 30s), liveness::missed);
  p.beat(t0 + 31s);
  EXPECT_EQ(p.missed(), 0);
  EXPECT_EQ(p.next_deadline(), t0 + 61s);
  EXPECT_EQ(p.check(t0 + 35s), liveness::alive); // the old deadline is stale
  EXPECT_EQ(p.last_beat(), t0 + 31s);
}

TEST(HeartbeatPolicy, PauseStopsCountingAndResumeIsAFreshBeat) {
  auto cfg = settings(30s, 5s, 3);
  heartbeat_policy p{cfg, t0};
  p.pause();
  EXPECT_TRUE(p.paused());
  EXPECT_EQ(p.next_deadline(), time_point::max());
  EXPECT_EQ(p.check(t0 + 10h), liveness::alive);
  p.resume(t0 + 10h);
  EXPECT_FALSE(p.paused());
  EXPECT_EQ(p.next_deadline(), t0 + 10h + 30s);
  EXPECT_EQ(p.check(t0 + 10h + 30s), liveness::missed);
}

TEST(HeartbeatPolicy, LateCheckGetsOneMoreIntervalBeforeOffline) {
  auto cfg = settings(30s, 5s, 1, 2s);
  heartbeat_policy p{cfg, t0};
  // The supervisor ran 10 s late: no verdict against the agent yet.
  EXPECT_EQ(p.check(t0 + 40s), liveness::grace);
  EXPECT_EQ(p.lag(), duration{10s});
  EXPECT_EQ(p.next_deadline(), t0 + 45s);
  EXPECT_EQ(p.check(t0 + 45s - 1ns), liveness::alive);
  EXPECT_EQ(p.check(t0 + 45s), liveness::offline); // still silent after the grace
}

TEST(HeartbeatPolicy, BeatDuringTheGraceKeepsTheAgentAlive) {
  auto cfg = settings(30s, 5s, 1, 2s);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 40s), liveness::grace);
  p.beat(t0 + 40s); // it was waiting in the mailbox behind the late timer
  EXPECT_EQ(p.check(t0 + 45s), liveness::alive);
  EXPECT_EQ(p.next_deadline(), t0 + 70s);
}

TEST(HeartbeatPolicy, LatenessWithinLagGraceDecidesAtOnce) {
  auto cfg = settings(30s, 5s, 1, 2s);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 32s), liveness::offline); // exactly lag_grace late
}

TEST(HeartbeatPolicy, OnlyTheOfflineVerdictWaitsForLag) {
  auto cfg = settings(30s, 5s, 3, 2s);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 50s), liveness::missed); // first miss, late: counted
  EXPECT_EQ(p.check(t0 + 50s), liveness::missed); // second (due at 35 s)
  EXPECT_EQ(p.check(t0 + 50s), liveness::grace);  // third would be offline: wait
  EXPECT_EQ(p.check(t0 + 55s), liveness::offline);
}

// Node lateness (DESIGN §14): the caller passes how late the agent's node runs.

TEST(HeartbeatPolicy, NodeLatenessDefersEachMissByExactlyThatMuch) {
  auto cfg = settings(30s, 5s, 2);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 30s, 3s), liveness::deferred);
  EXPECT_EQ(p.missed(), 0);
  EXPECT_EQ(p.next_deadline(), t0 + 33s);
  EXPECT_EQ(p.check(t0 + 33s - 1ns, 3s), liveness::alive);
  EXPECT_EQ(p.check(t0 + 33s, 3s), liveness::missed);
  EXPECT_EQ(p.missed(), 1);
  // The next miss is due one check interval after the first one's due time, and
  // waits for the node's lateness again.
  EXPECT_EQ(p.next_deadline(), t0 + 35s);
  EXPECT_EQ(p.check(t0 + 35s, 3s), liveness::deferred);
  EXPECT_EQ(p.check(t0 + 38s - 1ns, 3s), liveness::alive);
  EXPECT_EQ(p.check(t0 + 38s, 3s), liveness::offline);
}

TEST(HeartbeatPolicy, NoNodeLatenessDecidesAtTheExactDeadline) {
  auto cfg = settings(30s, 5s, 1);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 30s, 0s), liveness::offline);
}

TEST(HeartbeatPolicy, GrowingNodeLatenessDefersAgainShrinkingIsWaitedOut) {
  auto cfg = settings(30s, 5s, 1);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 30s, 2s), liveness::deferred);
  EXPECT_EQ(p.check(t0 + 32s, 4s), liveness::deferred); // now 4 s late
  EXPECT_EQ(p.next_deadline(), t0 + 34s);
  // Recovered meanwhile: the check the 4 s deferred still decides then, not sooner.
  EXPECT_EQ(p.check(t0 + 34s, 0s), liveness::offline);
}

TEST(HeartbeatPolicy, ABeatWhileDeferredKeepsTheAgentAlive) {
  auto cfg = settings(30s, 5s, 1);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 30s, 3s), liveness::deferred);
  p.beat(t0 + 32s);
  EXPECT_EQ(p.next_deadline(), t0 + 62s);
  EXPECT_EQ(p.check(t0 + 33s, 3s), liveness::alive);
}

TEST(HeartbeatPolicy, SupervisorLagAfterANodeDeferralGetsTheGraceToo) {
  auto cfg = settings(30s, 5s, 1, 2s);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 30s, 3s), liveness::deferred); // due again at 33 s
  // The deferred check itself runs 4 s late: the supervisor was starved as well.
  EXPECT_EQ(p.check(t0 + 37s, 3s), liveness::grace);
  EXPECT_EQ(p.lag(), 4s);
  EXPECT_EQ(p.next_deadline(), t0 + 42s);
  EXPECT_EQ(p.check(t0 + 42s, 3s), liveness::offline);
  // Within the grace it would have decided at once.
  heartbeat_policy q{cfg, t0};
  EXPECT_EQ(q.check(t0 + 30s, 3s), liveness::deferred);
  EXPECT_EQ(q.check(t0 + 35s, 3s), liveness::offline); // exactly lag_grace late
}

TEST(HeartbeatPolicy, PauseOverridesADeferral) {
  auto cfg = settings(30s, 5s, 1);
  heartbeat_policy p{cfg, t0};
  EXPECT_EQ(p.check(t0 + 30s, 3s), liveness::deferred);
  p.pause();
  EXPECT_EQ(p.next_deadline(), time_point::max());
  EXPECT_EQ(p.check(t0 + 40s, 3s), liveness::alive);
  p.resume(t0 + 40s);
  EXPECT_EQ(p.next_deadline(), t0 + 70s);
}
