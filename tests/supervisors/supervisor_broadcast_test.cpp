// The ordered event stream: filters, seq order, replay, snapshots, flow control
// (DESIGN §3), in virtual time with real agent actors.
#include <chrono>
#include <map>

#include <caf/exit_reason.hpp>

#include "support/supervisor_fixture.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SupervisorBroadcast : public vigil::test::supervisor_fixture {
public:
  SupervisorBroadcast() { start(supervisor_settings{}); }

  std::vector<agent_actor> spawn_fleet(int n) {
    std::vector<agent_actor> xs;
    for (int i = 1; i <= n; ++i) {
      agent_options opts{"fleet-" + std::to_string(i), i % 2 == 0 ? "coder" : "worker"};
      auto x = spawn_agent(sys, sup, opts);
      EXPECT_TRUE(x);
      xs.push_back(track(*x));
    }
    sched.run();
    return xs;
  }

  // A mixed workload: slots, queued slots, finishes, quota errors, failures and kills.
  void workload(std::vector<agent_actor>& fleet, int round) {
    send_workload(fleet, round);
    sched.run();
    advance(1min);
  }

  void send_workload(std::vector<agent_actor>& fleet, int round) {
    for (size_t i = 0; i < fleet.size(); ++i) {
      auto& a = fleet[i];
      auto k = static_cast<int>(i) + round;
      if (k % 3 == 0)
        caf::anon_send(a, slot_atom::value, slot_kind::work, std::string{});
      if (k % 3 == 1)
        caf::anon_send(a, slot_atom::value, slot_kind::on_call, std::string{});
      if (k % 4 == 0)
        caf::anon_send(a, finish_atom::value);
      if (k % 7 == 0)
        caf::anon_send(a, quota_atom::value, quota_reason::rate_limit, duration{2min});
      if (k % 97 == 0)
        caf::anon_send(a, fail_atom::value, std::string{"boom"});
      if (k % 89 == 0)
        caf::anon_send(sup, kill_atom::value, "fleet-" + std::to_string(i + 1));
    }
  }

  static std::vector<event> filtered(const std::vector<event>& xs,
                                     const subscription_filter& f) {
    std::vector<event> result;
    for (auto& e : xs)
      if (matches(f, e))
        result.push_back(e);
    return result;
  }
};

} // namespace

TEST_F(SupervisorBroadcast,
       ThousandAgentsThreeFiltersEverySubscriberSeesExactlyItsEvents) {
  subscription_filter coders{{}, {"coder"}, {}, {}};
  subscription_filter exhausted{{}, {}, {s::exhausted}, {event_kind::transition}};
  subscription_filter two{{"fleet-2", "silent-1"}, {}, {}, {event_kind::transition}};
  auto all = collector();
  auto c = collector({coders, caf::none});
  auto x = collector({exhausted, caf::none});
  auto t = collector({two, caf::none});
  auto fleet = spawn_fleet(1000);
  for (int i = 1; i <= 10; ++i) // agents that never beat: missed beats, then offline
    idle_agent("silent-" + std::to_string(i));
  for (int round = 0; round < 6; ++round)
    workload(fleet, round);
  auto everything = events_of(all);
  auto last = stats().last_seq;
  ASSERT_GT(everything.size(), 3000u);
  // Unfiltered: seq strictly +1 from the first event to the last, no gaps.
  EXPECT_EQ(everything.front().seq,
            state_of<vigil::test::collector_state>(all).snapshots[0].seq + 1);
  for (size_t i = 1; i < everything.size(); ++i)
    ASSERT_EQ(everything[i].seq, everything[i - 1].seq + 1) << i;
  EXPECT_EQ(everything.back().seq, last);
  // Filtered: exactly the matching events, in the same order.
  EXPECT_EQ(events_of(c), filtered(everything, coders));
  EXPECT_EQ(events_of(x), filtered(everything, exhausted));
  EXPECT_EQ(events_of(t), filtered(everything, two));
  EXPECT_FALSE(events_of(x).empty());
  EXPECT_FALSE(events_of(t).empty());
  auto missed = filtered(everything, {{}, {}, {}, {event_kind::heartbeat_missed}});
  EXPECT_EQ(missed.size(), 30u); // 10 silent agents, 3 misses each
  // Per agent, versions rise with every transition.
  std::map<std::string, uint64_t> version;
  for (auto& e : everything) {
    if (e.kind != event_kind::transition)
      continue;
    ASSERT_EQ(e.version, version[e.agent] + 1) << e.agent << " seq " << e.seq;
    version[e.agent] = e.version;
  }
  // Replay from an old seq: the same events, from there on.
  auto from = everything[everything.size() / 2].seq;
  auto replay = collector({{}, caf::optional<uint64_t>{from}, stats().epoch});
  auto& rs = state_of<vigil::test::collector_state>(replay);
  ASSERT_EQ(rs.snapshots.size(), 1u);
  EXPECT_EQ(rs.snapshots[0].missed, 0u);
  EXPECT_FALSE(rs.snapshots[0].complete);
  std::vector<event> tail(everything.begin() +
                              static_cast<long>(everything.size() / 2) + 1,
                          everything.end());
  EXPECT_EQ(rs.events, tail);
}

TEST_F(SupervisorBroadcast, ReplayFromASeqTheHistoryLostTellsHowManyWereMissed) {
  supervisor_settings cfg;
  cfg.history = 16;
  start(cfg);
  auto p = idle_agent("a1"); // seq 1 registered, 2 idle
  for (int i = 0; i < 10; ++i) {
    report(p, "a1", s::idle, s::busy);
    report(p, "a1", s::busy, s::idle);
  } // seq 22: the history holds 7..22
  auto c = collector({{}, caf::optional<uint64_t>{2}, stats().epoch});
  auto& cs = state_of<vigil::test::collector_state>(c);
  ASSERT_EQ(cs.snapshots.size(), 1u);
  EXPECT_EQ(cs.snapshots[0].missed, 4u); // 3, 4, 5 and 6 are gone
  // It cannot go on without a gap: a whole snapshot as of seq 22 replaces the rest.
  EXPECT_TRUE(cs.snapshots[0].complete);
  EXPECT_EQ(cs.snapshots[0].seq, 22u);
  ASSERT_EQ(cs.snapshots[0].agents.size(), 1u);
  EXPECT_EQ(cs.snapshots[0].agents[0].version, status("a1").version);
  EXPECT_TRUE(cs.events.empty());
  idle_agent("a2"); // then live
  ASSERT_EQ(cs.events.size(), 2u);
  EXPECT_EQ(cs.events.front().seq, 23u);
}

TEST_F(SupervisorBroadcast, AResumeFromAnotherEpochIsResyncedNeverSilentlyContinued) {
  idle_agent("a1"); // seq 1, 2
  auto epoch = stats().epoch;
  EXPECT_NE(epoch, 0u);
  // The same seq from this start goes on; from an unknown start (0) or another one, it
  // could name other events: told missed, with a whole snapshot.
  for (uint64_t other : {uint64_t{0}, epoch + 1}) {
    auto c = collector({{}, caf::optional<uint64_t>{1}, other});
    auto& cs = state_of<vigil::test::collector_state>(c);
    ASSERT_EQ(cs.snapshots.size(), 1u);
    EXPECT_EQ(cs.snapshots[0].missed, 1u);
    EXPECT_TRUE(cs.snapshots[0].complete);
    EXPECT_EQ(cs.snapshots[0].agents.size(), 1u);
    EXPECT_TRUE(cs.events.empty());
  }
  auto same = collector({{}, caf::optional<uint64_t>{1}, epoch});
  auto& ss = state_of<vigil::test::collector_state>(same);
  ASSERT_EQ(ss.snapshots.size(), 1u);
  EXPECT_EQ(ss.snapshots[0].missed, 0u);
  EXPECT_EQ(ss.snapshots[0].epoch, epoch);
  ASSERT_EQ(ss.events.size(), 1u);
  EXPECT_EQ(ss.events[0].seq, 2u);
}

TEST_F(SupervisorBroadcast, UnsubscribedGetsNothingMore) {
  auto c = collector();
  idle_agent("a1");
  auto n = events_of(c).size();
  EXPECT_EQ(n, 2u);                                // registered, idle
  caf::anon_send(c, caf::unsubscribe_atom::value); // it tells the supervisor itself
  sched.run();
  EXPECT_EQ(stats().subscribers, 0u);
  idle_agent("a2");
  EXPECT_EQ(events_of(c).size(), n);
}

TEST_F(SupervisorBroadcast, DeadSubscriberIsDropped) {
  auto c = collector();
  EXPECT_EQ(stats().subscribers, 1u);
  caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
  sched.run();
  EXPECT_EQ(stats().subscribers, 0u);
  idle_agent("a1"); // nothing is sent to it any more
  EXPECT_EQ(stats().max_in_flight, 0u);
}

TEST_F(SupervisorBroadcast,
       SubscriberThatNeverReadsKeepsMemoryBoundedAndLearnsWhatItMissed) {
  supervisor_settings cfg;
  cfg.history = 64;
  cfg.subscriber_window = 8;
  start(cfg);
  auto slow = collector({}, false);
  auto p = idle_agent("a1");
  for (int i = 0; i < 250; ++i) {
    report(p, "a1", s::idle, s::busy);
    report(p, "a1", s::busy, s::idle);
  }
  auto st = stats();
  EXPECT_EQ(st.last_seq, 502u);    // registered, idle, then 500 transitions
  EXPECT_EQ(st.history, 64u);      // bounded by `history`
  EXPECT_EQ(st.max_in_flight, 8u); // bounded by `subscriber_window`
  auto& cs = state_of<vigil::test::collector_state>(slow);
  ASSERT_EQ(cs.events.size(), 8u);
  EXPECT_EQ(cs.events.back().seq, 8u);
  // It reads again: told how many it missed, resynced from a snapshot, then live.
  caf::anon_send(slow, ack_atom::value);
  sched.run();
  ASSERT_EQ(cs.snapshots.size(), 2u);
  auto& resync = cs.snapshots[1];
  EXPECT_EQ(resync.missed, 430u); // its next was seq 9; the history starts at 439
  EXPECT_EQ(resync.seq, 502u);
  ASSERT_EQ(resync.agents.size(), 1u);
  EXPECT_EQ(resync.agents[0].state, s::idle);
  report(p, "a1", s::idle, s::busy);
  EXPECT_EQ(cs.events.back().seq, 503u);
}

TEST_F(SupervisorBroadcast, JoiningMidWorkloadEndsWithExactlyTheSupervisorsRecord) {
  auto fleet = spawn_fleet(300);
  workload(fleet, 0);
  workload(fleet, 1);
  // Join while a round's messages are still queued: the subscription lands between
  // them.
  send_workload(fleet, 2);
  auto late = track(vigil::test::spawn_collector(sys, sup, {}));
  send_workload(fleet, 5);
  sched.run();
  advance(1min);
  workload(fleet, 3);
  auto& cs = state_of<vigil::test::collector_state>(late);
  ASSERT_EQ(cs.snapshots.size(), 1u);
  // Apply the snapshot, then every event after its seq.
  std::map<std::string, std::pair<agent_state, uint64_t>> model;
  for (auto& a : cs.snapshots[0].agents)
    model[a.id] = {a.state, a.version};
  uint64_t expected_seq = cs.snapshots[0].seq + 1;
  for (auto& e : cs.events) {
    ASSERT_EQ(e.seq, expected_seq++);
    if (e.kind == event_kind::registered)
      model[e.agent] = {e.to, e.version};
    else if (e.kind == event_kind::purged)
      model.erase(e.agent);
    else if (e.kind == event_kind::transition) {
      auto& m = model[e.agent];
      EXPECT_EQ(e.version, m.second + 1) << e.agent; // nothing missed, nothing twice
      m = {e.to, e.version};
    }
  }
  auto truth = ask<std::vector<agent_status>>(sup, status_atom::value);
  ASSERT_TRUE(truth);
  ASSERT_EQ(model.size(), truth->size());
  for (auto& a : *truth) {
    EXPECT_EQ(model[a.id].first, a.state) << a.id;
    EXPECT_EQ(model[a.id].second, a.version) << a.id;
  }
}

TEST_F(SupervisorBroadcast, ASubscriberAheadOfTheSupervisorIsToldAndGetsASnapshot) {
  // It saw seq 50 from an earlier run whose last events were never committed: this
  // supervisor (at seq 2) cannot resume it, and says so instead of renumbering
  // silently.
  idle_agent("a1");
  auto c = collector({{}, caf::optional<uint64_t>{50}});
  auto& cs = state_of<vigil::test::collector_state>(c);
  ASSERT_EQ(cs.snapshots.size(), 1u);
  EXPECT_EQ(cs.snapshots[0].missed, 48u);
  EXPECT_TRUE(cs.snapshots[0].complete);
  EXPECT_EQ(cs.snapshots[0].agents.size(), 1u);
  EXPECT_EQ(cs.snapshots[0].seq, 2u);
}
