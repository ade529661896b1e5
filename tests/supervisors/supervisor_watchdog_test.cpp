// The watchdog in the supervisor with real agent actors, in virtual time (DESIGN §6).
#include <chrono>

#include "support/supervisor_fixture.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SupervisorWatchdog : public vigil::test::supervisor_fixture {
public:
  void start_with(watchdog_settings wd) {
    supervisor_settings cfg;
    cfg.watchdog = wd;
    start(cfg);
  }

  agent_actor working_agent(const std::string& id, const std::string& type = "coder") {
    agent_options opts{id, type};
    auto x = spawn_agent(sys, sup, opts);
    EXPECT_TRUE(x);
    auto a = track(*x);
    sched.run();
    EXPECT_TRUE(ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{}));
    return a;
  }

  std::vector<std::string> kinds(const caf::actor& c) {
    std::vector<std::string> xs;
    for (auto& e : events_of(c)) {
      auto k = to_string(e.kind);
      if (e.kind == event_kind::transition)
        k += ":" + to_string(e.to);
      if (e.kind == event_kind::watchdog)
        k += ":" + e.reason;
      xs.push_back(k);
    }
    return xs;
  }

  using strings = std::vector<std::string>;
};

} // namespace

TEST_F(SupervisorWatchdog, StalledAgentFailsWithNoOutputDeadlineAtExactlyItsTime) {
  watchdog_settings wd;
  wd.idle_timeout = 10min;
  wd.drain_window = 1min;
  start_with(wd);
  auto c = collector();
  auto t0 = now();
  auto a = working_agent("a1");
  advance(4min);
  ASSERT_FALSE(tell(a, activity_atom::value)); // output at 4 min: deadline 14 min
  advance(11min - 1ns); // 15 min - 1 ns: idle deadline passed, drain window running
  EXPECT_EQ(status("a1").state, s::busy);
  advance(1ns);
  auto st = status("a1");
  EXPECT_EQ(st.state, s::failed);
  EXPECT_EQ(st.reason, "watchdog:no_output_deadline");
  EXPECT_EQ(st.last_error, "watchdog:no_output_deadline");
  ASSERT_TRUE(st.ended_at);
  EXPECT_EQ(*st.ended_at, t0 + 15min);
  EXPECT_FALSE(ask<agent_view>(a, get_atom::value)); // the actor was sent an exit
  EXPECT_EQ(kinds(c), (strings{"registered", "transition:idle", "transition:busy",
                               "watchdog:no_output_deadline", "transition:failed"}));
  auto evs = events_of(c);
  for (size_t i = 1; i < evs.size(); ++i)
    EXPECT_EQ(evs[i].seq, evs[i - 1].seq + 1);
}

TEST_F(SupervisorWatchdog, WaitingOnChildrenDefersThenFiresWithTheWholeEventSequence) {
  watchdog_settings wd;
  wd.idle_timeout = 2min;
  wd.max_waiting_on_child = 10min;
  wd.suspect_waiting_on_child = 5min;
  wd.status_interval = 4min;
  start_with(wd);
  auto c = collector();
  auto t0 = now();
  auto a = working_agent("a1");
  child_report r;
  r.children = 1;
  r.evidence = child_evidence::fresh_heartbeat_only;
  r.workspace_events = 0;
  ASSERT_FALSE(tell(a, r));
  advance(12min - 1ns);
  EXPECT_EQ(status("a1").state, s::busy);
  advance(1ns); // 2 min idle + 10 min waiting
  EXPECT_EQ(status("a1").state, s::failed);
  EXPECT_EQ(status("a1").reason, "watchdog:children_persist_too_long");
  EXPECT_EQ(kinds(c),
            (strings{"registered", "transition:idle", "transition:busy", "entered",
                     "progress", "suspected_frozen", "progress", "hard_stop",
                     "watchdog:children_persist_too_long", "transition:failed"}));
  auto evs = events_of(c);
  EXPECT_EQ(evs[3].at, t0 + 2min); // entered
  EXPECT_EQ(evs[4].at, t0 + 6min); // progress
  EXPECT_EQ(evs[5].at, t0 + 7min); // suspected_frozen at 5 min waited
  EXPECT_EQ(evs[5].details, "evidence fresh_heartbeat_only; 1 child; workspace quiet "
                            "(0 events)");
  EXPECT_EQ(evs[8].waited, duration{10min});
}

TEST_F(SupervisorWatchdog, FinishingTheSlotDisarmsIt) {
  watchdog_settings wd;
  wd.idle_timeout = 1min;
  start_with(wd);
  auto c = collector();
  auto a = working_agent("a1");
  advance(30s);
  ASSERT_FALSE(tell(a, finish_atom::value));
  advance(10h - 1min); // idle is quiet by right (beats keep it alive)
  EXPECT_EQ(status("a1").state, s::idle);
  EXPECT_EQ(kinds(c), (strings{"registered", "transition:idle", "transition:busy",
                               "transition:idle"}));
}

TEST_F(SupervisorWatchdog, ContinuousOutputIsCoalescedAndKeepsTheDeadlineExact) {
  watchdog_settings wd;
  wd.idle_timeout = 30s;
  start_with(wd);
  auto a = working_agent("a1");
  auto t0 = now();
  // Output every 100 ms for a minute: 600 activity messages to the agent.
  for (int i = 1; i <= 600; ++i) {
    advance(100ms);
    caf::anon_send(a, activity_atom::value);
    sched.run();
  }
  auto last = t0 + 60s;
  // Coalesced: at most one report per second reached the supervisor, and the last
  // output (at 60 s, folded into a report sent at 61 s) moved the deadline to 90 s.
  advance(last + 30s - 1ns - now());
  EXPECT_EQ(status("a1").state, s::busy);
  advance(1ns);
  EXPECT_EQ(status("a1").state, s::failed);
}

TEST_F(SupervisorWatchdog, SettingsPerAgentTypeAndOffByDefault) {
  supervisor_settings cfg; // global watchdog: all off
  type_settings strict;
  strict.watchdog.max_session = 1h;
  cfg.types["strict"] = strict;
  start(cfg);
  auto relaxed = working_agent("r1", "relaxed");
  auto tight = working_agent("s1", "strict");
  advance(1h);
  EXPECT_EQ(status("s1").state, s::failed);
  EXPECT_EQ(status("s1").reason, "watchdog:session_ceiling_exceeded");
  advance(100h);
  EXPECT_EQ(status("r1").state,
            s::busy); // silent work is fine where nobody said otherwise
}

TEST_F(SupervisorWatchdog, AWatchdogDueWithAnOfflineVerdictEndsItOnceAsFailed) {
  supervisor_settings cfg;
  cfg.heartbeat.timeout = 30s;
  cfg.heartbeat.max_missed = 1;
  cfg.watchdog.idle_timeout = 30s;
  cfg.watchdog.drain_window = 0s;
  start(cfg);
  auto c = collector();
  auto p = idle_agent("a1"); // a puppet: it never beats
  report(p, "a1", s::idle, s::busy);
  advance(30s); // liveness and watchdog deadlines meet
  EXPECT_EQ(status("a1").state, s::failed);
  EXPECT_EQ(status("a1").reason, "watchdog:no_output_deadline");
  // The missed beat is real; the watchdog's verdict comes before the offline one, which
  // then has nothing left to change.
  EXPECT_EQ(kinds(c), (strings{"registered", "transition:idle", "transition:busy",
                               "heartbeat_missed", "watchdog:no_output_deadline",
                               "transition:failed"}));
  EXPECT_EQ(events_of(c).back().version, 3u);
}

TEST_F(SupervisorWatchdog, ExitedComesBeforeTheTransitionThatEndsTheRun) {
  watchdog_settings wd;
  wd.idle_timeout = 1min;
  start_with(wd);
  auto c = collector();
  auto a = working_agent("a1");
  child_report r;
  r.children = 1;
  ASSERT_FALSE(tell(a, r));
  advance(2min);
  ASSERT_FALSE(tell(a, finish_atom::value));
  auto evs = events_of(c);
  ASSERT_GE(evs.size(), 2u);
  EXPECT_EQ(evs[evs.size() - 2].kind, event_kind::exited);
  EXPECT_EQ(evs[evs.size() - 2].to, s::busy); // still the state of the run it ends
  EXPECT_EQ(evs.back().kind, event_kind::transition);
  EXPECT_EQ(evs.back().to, s::idle);
}

TEST_F(SupervisorWatchdog, ShortSlotsDoNotPileUpWatchdogTimers) {
  watchdog_settings wd;
  wd.idle_timeout = 10min;
  start_with(wd);
  auto a = working_agent("a1");
  for (int i = 0; i < 100; ++i) {
    advance(1s);
    ASSERT_FALSE(tell(a, finish_atom::value));
    ASSERT_TRUE(ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{}));
  }
  // The agent's beat, the supervisor's liveness deadline and one watchdog deadline.
  EXPECT_LE(pending_timers(), 3u);
}
