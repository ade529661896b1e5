// The watchdog policy with a fake clock: one test per rule of DESIGN §6.
#include "vigil/supervisors/watchdog_policy.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

const auto t0 = time_point{} + 1h;

child_report kids(uint32_t n, child_evidence ev = child_evidence::fresh_progress) {
  child_report r;
  r.id = "a1";
  r.children = n;
  r.evidence = ev;
  return r;
}

// Records notes as "signal@seconds" (with the fire reason), relative to t0.
class WatchdogPolicy : public ::testing::Test {
public:
  void start(watchdog_settings s) {
    cfg = s;
    wd.arm(t0);
  }

  std::string fmt(const watchdog_note& n) {
    auto secs =
        std::chrono::duration_cast<std::chrono::milliseconds>(n.at - t0).count();
    std::string s = to_string(n.signal) + "@" + std::to_string(secs / 1000);
    if (secs % 1000)
      s += "." + std::to_string(secs % 1000);
    if (n.reason)
      s += ":" + to_string(*n.reason);
    return s;
  }

  std::vector<std::string> advance_to(duration d) {
    std::vector<watchdog_note> out;
    wd.advance(t0 + d, out);
    return take(out);
  }

  std::vector<std::string> activity_at(duration d) {
    std::vector<watchdog_note> out;
    wd.activity(t0 + d, out);
    return take(out);
  }

  std::vector<std::string> children_at(duration d, child_report r) {
    std::vector<watchdog_note> out;
    wd.children(t0 + d, r, out);
    return take(out);
  }

  std::vector<std::string> take(std::vector<watchdog_note>& out) {
    std::vector<std::string> xs;
    for (auto& n : out) {
      xs.push_back(fmt(n));
      notes.push_back(n);
    }
    return xs;
  }

  using strings = std::vector<std::string>;
  watchdog_settings cfg;
  watchdog_policy wd{cfg};
  std::vector<watchdog_note> notes;
};

} // namespace

TEST_F(WatchdogPolicy, DisabledSettingsNeverFire) {
  start({});
  EXPECT_FALSE(cfg.enabled());
  EXPECT_EQ(wd.next_deadline(), time_point::max());
  EXPECT_TRUE(advance_to(1000h).empty());
  EXPECT_FALSE(wd.fired());
}

TEST_F(WatchdogPolicy, SessionCeilingFiresFromTheSlotStartAndActivityNeverResetsIt) {
  watchdog_settings s;
  s.max_session = 1h;
  start(s);
  for (int m = 1; m < 60; ++m)
    EXPECT_TRUE(activity_at(std::chrono::minutes(m)).empty());
  EXPECT_EQ(wd.next_deadline(), t0 + 1h);
  EXPECT_TRUE(advance_to(1h - 1ns).empty());
  EXPECT_EQ(advance_to(1h), (strings{"fire@3600:session_ceiling_exceeded"}));
  EXPECT_EQ(wd.fired(), fire_reason::session_ceiling_exceeded);
  EXPECT_EQ(wd.next_deadline(), time_point::max());
}

TEST_F(WatchdogPolicy, SessionCeilingWinsOverEverythingAtTheSameInstant) {
  watchdog_settings s;
  s.max_session = 10min;
  s.idle_timeout = 5min;
  s.max_waiting_on_child = 5min;
  s.suspect_waiting_on_child = 5min;
  start(s);
  children_at(1min, kids(1));
  EXPECT_EQ(advance_to(5min), (strings{"entered@300"}));
  // At 10 min: session ceiling, waiting ceiling and suspect threshold all meet.
  EXPECT_EQ(advance_to(10min), (strings{"fire@600:session_ceiling_exceeded"}));
}

TEST_F(WatchdogPolicy, UnderIdleTimeoutItContinues) {
  watchdog_settings s;
  s.idle_timeout = 5min;
  s.drain_window = 1min;
  start(s);
  EXPECT_TRUE(advance_to(5min - 1ns).empty());
  EXPECT_FALSE(wd.fired());
  EXPECT_TRUE(activity_at(5min - 1ns).empty());
  EXPECT_EQ(wd.next_deadline(), t0 + 10min - 1ns);
}

TEST_F(WatchdogPolicy, NoChildrenDrainWindowThenNoOutputDeadline) {
  watchdog_settings s;
  s.idle_timeout = 5min;
  s.drain_window = 2min;
  start(s);
  EXPECT_TRUE(advance_to(5min).empty()); // the drain window begins
  EXPECT_EQ(wd.next_deadline(), t0 + 7min);
  EXPECT_TRUE(advance_to(7min - 1ns).empty());
  EXPECT_EQ(advance_to(7min), (strings{"fire@420:no_output_deadline"}));
}

TEST_F(WatchdogPolicy, ZeroOrUnsetDrainWindowFiresAtOnce) {
  watchdog_settings s;
  s.idle_timeout = 5min;
  s.drain_window = 0s;
  start(s);
  EXPECT_EQ(advance_to(5min), (strings{"fire@300:no_output_deadline"}));
  s.drain_window.reset();
  start(s);
  EXPECT_EQ(advance_to(5min), (strings{"fire@300:no_output_deadline"}));
}

TEST_F(WatchdogPolicy, ActivityEndsTheDrainWindow) {
  watchdog_settings s;
  s.idle_timeout = 5min;
  s.drain_window = 2min;
  start(s);
  advance_to(5min);
  EXPECT_TRUE(activity_at(6min).empty());
  EXPECT_EQ(wd.next_deadline(), t0 + 11min);
  EXPECT_TRUE(advance_to(10min).empty());
}

TEST_F(WatchdogPolicy, ChildrenInsideTheDrainWindowResumeDeferralAtThatMoment) {
  watchdog_settings s;
  s.idle_timeout = 5min;
  s.drain_window = 2min;
  start(s);
  advance_to(5min);
  EXPECT_EQ(children_at(6min, kids(1)), (strings{"entered@360"}));
  EXPECT_EQ(wd.waited(t0 + 7min), 1min); // waiting since 6 min
  EXPECT_TRUE(advance_to(10h).empty());  // no ceiling set: deferral goes on
}

TEST_F(WatchdogPolicy, ChildPresentBeforeTheIdleDeadlineCountsNothingYet) {
  watchdog_settings s;
  s.idle_timeout = 5min;
  s.max_waiting_on_child = 10min;
  start(s);
  EXPECT_TRUE(children_at(1min, kids(1)).empty());
  EXPECT_EQ(wd.waited(t0 + 5min - 1ns), duration::zero());
  EXPECT_EQ(advance_to(5min), (strings{"entered@300"}));
  EXPECT_EQ(advance_to(15min - 1ns), strings{});
  EXPECT_EQ(advance_to(15min),
            (strings{"hard_stop@900", "fire@900:children_persist_too_long"}));
}

TEST_F(WatchdogPolicy, WaitingAccumulatesAcrossRunsAndActivityKeepsTheTotal) {
  watchdog_settings s;
  s.idle_timeout = 1min;
  s.max_waiting_on_child = 10min;
  start(s);
  children_at(0s, kids(1));
  advance_to(1min);                                      // run 1 from 1 min
  EXPECT_EQ(activity_at(5min), (strings{"exited@300"})); // 4 min waited; child stays
  EXPECT_EQ(wd.waited(t0 + 5min), duration{4min});
  EXPECT_EQ(advance_to(6min), (strings{"entered@360"})); // run 2 at the next deadline
  EXPECT_EQ(activity_at(9min), (strings{"exited@540"})); // 7 min in total
  advance_to(10min);                                     // run 3 from 10 min
  EXPECT_EQ(advance_to(13min - 1ns), strings{});
  EXPECT_EQ(advance_to(13min),
            (strings{"hard_stop@780", "fire@780:children_persist_too_long"}));
  EXPECT_EQ(notes.back().waited, duration{10min});
}

TEST_F(WatchdogPolicy, NoProgressEvidenceUsesTheShorterCeilingOnTheWholeTotal) {
  watchdog_settings s;
  s.idle_timeout = 1min;
  s.max_waiting_on_child = 30min;
  s.max_waiting_on_child_no_progress = 5min;
  start(s);
  children_at(0s, kids(1, child_evidence::fresh_progress));
  advance_to(1min);
  EXPECT_EQ(advance_to(7min), strings{}); // 6 min waited, progressing: 30 min applies
  // The evidence turns: 6 min already exceed 5 min, so it fires the moment it appears.
  EXPECT_EQ(children_at(7min, kids(1, child_evidence::stale_label_only)),
            (strings{"hard_stop@420", "fire@420:children_persist_too_long"}));
}

TEST_F(WatchdogPolicy, NoProgressCeilingAppliesAlsoWithoutTheGeneralOne) {
  watchdog_settings s;
  s.idle_timeout = 1min;
  s.max_waiting_on_child_no_progress = 5min;
  start(s);
  children_at(0s, kids(1, child_evidence::os_descendant_only_stale_progress));
  advance_to(1min);
  EXPECT_EQ(advance_to(6min),
            (strings{"hard_stop@360", "fire@360:children_persist_too_long"}));
  // ... and a progressing child under the same settings has no ceiling at all.
  start(s);
  children_at(0s, kids(1, child_evidence::fresh_progress));
  advance_to(1min);
  EXPECT_EQ(advance_to(10h), strings{});
}

TEST_F(WatchdogPolicy, SuspectedFrozenOncePerRunAndAgainInTheNext) {
  watchdog_settings s;
  s.idle_timeout = 1min;
  s.suspect_waiting_on_child = 3min;
  start(s);
  auto r = kids(1, child_evidence::fresh_heartbeat_only);
  r.workspace_events = 0;
  r.scoped_children_active = 1;
  r.scoped_children = 2;
  children_at(0s, r);
  advance_to(1min);
  EXPECT_EQ(advance_to(4min), (strings{"suspected_frozen@240"}));
  EXPECT_EQ(
      notes.back().details,
      "evidence fresh_heartbeat_only; 1 child; workspace quiet (0 events); scoped "
      "child active (1 of 2)");
  EXPECT_EQ(advance_to(20min), strings{}); // once per run
  activity_at(20min);
  // Run 2: the total (19 min) is already past: at the run's start.
  EXPECT_EQ(advance_to(21min), (strings{"entered@1260", "suspected_frozen@1260"}));
}

TEST_F(WatchdogPolicy, ProgressEveryStatusIntervalWhileWaiting) {
  watchdog_settings s;
  s.idle_timeout = 1min;
  s.status_interval = 2min;
  start(s);
  children_at(0s, kids(2));
  EXPECT_EQ(advance_to(1min), (strings{"entered@60"}));
  EXPECT_EQ(advance_to(3min - 1ns), strings{});
  EXPECT_EQ(advance_to(8min),
            (strings{"progress@180", "progress@300", "progress@420"}));
  activity_at(8min);
  EXPECT_EQ(advance_to(8min + 59s), strings{}); // no run, no progress
}

TEST_F(WatchdogPolicy, ChildExitAfterTheIdleDeadlineStartsAFullDrainWindow) {
  watchdog_settings s;
  s.idle_timeout = 1min;
  s.drain_window = 2min;
  start(s);
  children_at(0s, kids(1));
  advance_to(1min);
  EXPECT_EQ(children_at(4min, kids(0)), (strings{"exited@240"}));
  EXPECT_EQ(wd.next_deadline(), t0 + 6min);
  EXPECT_EQ(advance_to(6min), (strings{"fire@360:no_output_deadline"}));
}

TEST_F(WatchdogPolicy, DisarmEndsARunAndSilencesEverything) {
  watchdog_settings s;
  s.idle_timeout = 1min;
  s.max_session = 10min;
  start(s);
  children_at(0s, kids(1));
  advance_to(1min);
  std::vector<watchdog_note> out;
  wd.disarm(t0 + 2min, out);
  EXPECT_EQ(take(out), (strings{"exited@120"}));
  EXPECT_EQ(wd.next_deadline(), time_point::max()); // disarmed: nothing to watch
  EXPECT_EQ(advance_to(100h), strings{});
}

TEST_F(WatchdogPolicy, LateEvaluationStillStampsEachDeadlineAtItsOwnInstant) {
  watchdog_settings s;
  s.idle_timeout = 1min;
  s.status_interval = 1min;
  s.max_waiting_on_child = 4min;
  start(s);
  children_at(0s, kids(1));
  EXPECT_EQ(advance_to(1h),
            (strings{"entered@60", "progress@120", "progress@180", "progress@240",
                     "hard_stop@300", "fire@300:children_persist_too_long"}));
}
