// Local health in the supervisor (DESIGN §14), in virtual time: a node that reports
// its beats late has its agents' verdicts deferred by exactly that lateness (never
// past the cap); nodes on time, and silent agents among answering neighbours, are
// judged at their exact deadlines; the supervisor's own lag adds its grace.
#include <chrono>

#include <caf/send.hpp>

#include "support/supervisor_fixture.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/actors/pacer.hpp"
#include "vigil/messages/inbound_checks.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SupervisorLocalHealth : public vigil::test::supervisor_fixture {
public:
  SupervisorLocalHealth() {
    supervisor_settings cfg;
    cfg.heartbeat.interval = 10s;
    cfg.heartbeat.timeout = 30s;
    cfg.heartbeat.check_interval = 5s;
    cfg.heartbeat.max_missed = 1;
    cfg.heartbeat.lag_grace = 2s;
    cfg.heartbeat.lateness_cap = 20s;
    start(cfg);
  }

  /// A puppet agent `id` on `node`, registered and idle.
  caf::actor idle_on(const std::string& id, const std::string& node) {
    auto p = puppet();
    registration x;
    x.id = id;
    x.type = "worker";
    x.node = node;
    send_registration(p, std::move(x));
    report(p, id, s::spawning, s::idle);
    return p;
  }

  /// `rounds` times: `agent` beats through `pacer`, which says its node runs `lateness`
  /// late, then 10 s pass (the last round stops `last_gap` after its beat).
  void beat_late(const caf::actor& pacer, const caf::actor& agent, duration lateness,
                 int rounds, duration last_gap = std::chrono::seconds(10)) {
    for (int i = 0; i < rounds; ++i) {
      batch(pacer, {key_of(agent)}, s::idle, lateness);
      advance(i + 1 < rounds ? duration{std::chrono::seconds(10)} : last_gap);
    }
  }

  /// When `id` went offline (the event's time); max when it did not.
  time_point offline_at(const caf::actor& c, const std::string& id) {
    for (auto& e : events_of(c))
      if (e.agent == id && e.to == s::offline)
        return e.at;
    return time_point::max();
  }
};

} // namespace

TEST_F(SupervisorLocalHealth, ALateNodeDefersItsSilentAgentByExactlyItsLateness) {
  auto c = collector();
  auto silent = idle_agent("a1");
  auto talker = idle_agent("a2");
  auto pacer = puppet();
  auto t0 = now();
  // a2 beats every 10 s through its node's pacer, which says its beats run 5 s late.
  beat_late(pacer, talker, 5s, 3, 10s - 1ns);
  EXPECT_EQ(status("a1").state, s::idle);
  advance(1ns); // a1's exact deadline: it waits for its node's lateness
  EXPECT_EQ(status("a1").state, s::idle);
  EXPECT_EQ(stats().deferred_checks, 1u);
  EXPECT_EQ(stats().overloaded_nodes, 1u);
  EXPECT_EQ(stats().worst_node_lateness, 5s);
  advance(5s - 1ns);
  EXPECT_EQ(status("a1").state, s::idle);
  advance(1ns);
  EXPECT_EQ(status("a1").state, s::offline);
  EXPECT_EQ(offline_at(c, "a1"), t0 + 35s);
  EXPECT_EQ(status("a2").state, s::idle);
  static_cast<void>(silent);
}

TEST_F(SupervisorLocalHealth, ASilentAgentAmongAnsweringNeighboursOnAnOnTimeNode) {
  auto c = collector();
  idle_agent("a1");
  auto talker = idle_agent("a2");
  auto pacer = puppet();
  auto t0 = now();
  beat_late(pacer, talker, 0s, 3); // on time
  EXPECT_EQ(status("a1").state, s::offline);
  EXPECT_EQ(offline_at(c, "a1"), t0 + 30s);
  EXPECT_EQ(stats().deferred_checks, 0u);
  EXPECT_EQ(stats().overloaded_nodes, 0u);
}

TEST_F(SupervisorLocalHealth, LatenessWithinLagGraceDefersToo) {
  auto c = collector();
  idle_agent("a1");
  auto talker = idle_agent("a2");
  auto pacer = puppet();
  auto t0 = now();
  beat_late(pacer, talker, 1500ms, 4); // 1.5 s late: not overloaded, but late
  EXPECT_EQ(offline_at(c, "a1"), t0 + 31500ms);
  EXPECT_EQ(stats().overloaded_nodes, 0u);
  EXPECT_EQ(stats().worst_node_lateness, 1500ms);
}

TEST_F(SupervisorLocalHealth, TheDeferralNeverPassesTheCap) {
  auto c = collector();
  idle_agent("a1");
  auto talker = idle_agent("a2");
  auto pacer = puppet();
  auto t0 = now();
  beat_late(pacer, talker, 60s, 5); // the node says a minute late, all along
  EXPECT_EQ(offline_at(c, "a1"), t0 + 30s + 20s); // lateness_cap
}

TEST_F(SupervisorLocalHealth, ALateNodeDefersOnlyItsOwnAgents) {
  auto c = collector();
  auto late_one = idle_on("a1", "n1");
  idle_on("b1", "n2"); // silent, on a node that reports nothing
  auto t0 = now();
  auto pacer = puppet();
  beat_late(pacer, late_one, 5s, 4);
  EXPECT_EQ(offline_at(c, "b1"), t0 + 30s);
  EXPECT_EQ(status("a1").state, s::idle);
}

TEST_F(SupervisorLocalHealth, ANodeThatStopsReportingIsNoLongerLateAfterTheCap) {
  auto c = collector();
  auto a1 = idle_agent("a1");
  auto pacer = puppet();
  batch(pacer, {key_of(a1)}, s::idle, 5s); // its last word: 5 s late
  auto t1 = now();
  // Its deadline, 30 s on, finds that report 30 s old: past the 20 s cap, no count.
  advance(40s);
  EXPECT_EQ(offline_at(c, "a1"), t1 + 30s);
}

TEST_F(SupervisorLocalHealth, SupervisorLagAndNodeLagTogether) {
  auto c = collector();
  idle_agent("a1");
  auto talker = idle_agent("a2");
  auto pacer = puppet();
  auto t0 = now();
  beat_late(pacer, talker, 5s, 3); // a1's deadline (30 s): deferred to 35 s by its node
  EXPECT_EQ(status("a1").state, s::idle);
  // The supervisor is starved: the deferred check at 35 s runs only at 39 s, 4 s late
  // (more than lag_grace): one more check interval, to 44 s.
  sched.advance_time(9s);
  sched.run();
  EXPECT_EQ(status("a1").state, s::idle);
  EXPECT_EQ(stats().self_lag, 4s);
  advance(5s - 1ns);
  EXPECT_EQ(status("a1").state, s::idle);
  advance(1ns);
  EXPECT_EQ(offline_at(c, "a1"), t0 + 44s);
}

// With a real pacer and real agents: the pacer measures its own lateness. The silent
// agent is a puppet on the same node: registered, then never a beat.

namespace {

class PacedLocalHealth : public SupervisorLocalHealth {
public:
  PacedLocalHealth() {
    pacer_options opts;
    opts.granularity = duration::zero(); // exact phases
    pacer = track(*spawn_pacer(sys, sup, opts));
    sched.run();
  }

  agent_actor agent(const std::string& id) {
    agent_options opts{id, "worker", "n1"};
    opts.pacer = pacer;
    auto h = track(*spawn_agent(sys, sup, std::move(opts)));
    sched.run();
    return h;
  }

  pacer_actor pacer;
};

} // namespace

TEST_F(PacedLocalHealth, APacerWhoseTickRunsLateDefersVerdictsByExactlyTheLateness) {
  auto c = collector();
  auto t0 = now();
  agent("a1");
  agent("a2");
  idle_agent("a3"); // silent from its registration on
  advance(20s - 1ns);
  // The tick due at 20 s runs 5 s late: the pacer measures it.
  sched.advance_time(5s + 1ns);
  sched.run();
  advance(5s); // a3's deadline, 30 s: its node said 5 s late
  EXPECT_EQ(status("a3").state, s::idle);
  advance(5s - 1ns);
  EXPECT_EQ(status("a3").state, s::idle);
  advance(1ns);
  EXPECT_EQ(offline_at(c, "a3"), t0 + 35s);
  EXPECT_EQ(status("a1").state, s::idle);
  EXPECT_EQ(status("a2").state, s::idle);
}

TEST_F(PacedLocalHealth, APacerOnTimeLetsASilentAgentGoOfflineAtItsDeadline) {
  auto c = collector();
  auto t0 = now();
  agent("a1");
  idle_agent("a2");
  advance(40s);
  EXPECT_EQ(offline_at(c, "a2"), t0 + 30s);
  EXPECT_EQ(status("a1").state, s::idle);
  EXPECT_EQ(stats().overloaded_nodes, 0u);
}

TEST_F(PacedLocalHealth, AnswersThatComeLateCountAsLateness) {
  auto c = collector();
  auto t0 = now();
  agent("a1");
  idle_agent("a2");
  advance(20s - 1ns);
  // The tick at 20 s runs on time, but the agents answer 4 s later.
  sched.advance_time(1ns);
  ASSERT_TRUE(sched.prioritize(pacer));
  sched.run_once();
  sched.advance_time(4s);
  sched.run();
  advance(6s); // a2's deadline at 30 s waits 4 s
  EXPECT_EQ(status("a2").state, s::idle);
  advance(4s);
  EXPECT_EQ(offline_at(c, "a2"), t0 + 34s);
}

TEST_F(SupervisorLocalHealth, ABatchWithALatenessOutOfRangeIsRefusedWhole) {
  auto a1 = idle_agent("a1");
  auto pacer = puppet();
  auto before = status("a1").last_beat;
  advance(1s);
  batch(pacer, {key_of(a1)}, s::idle, -1ns);
  batch(pacer, {key_of(a1)}, s::idle, std::chrono::hours(24 * 367));
  EXPECT_EQ(status("a1").last_beat, before); // neither beat counted
  EXPECT_EQ(stats().peak_node_lateness, 0s);
  batch(pacer, {key_of(a1)}, s::idle, 1s);
  EXPECT_EQ(status("a1").last_beat, now());
  EXPECT_EQ(stats().peak_node_lateness, 1s);
  // Exactly the bound a peer may send is taken; a silent neighbour still waits at most
  // the cap.
  auto c = collector();
  idle_agent("s1");
  auto t1 = now();
  beat_late(pacer, a1, max_peer_span, 3);
  EXPECT_EQ(stats().peak_node_lateness, max_peer_span);
  advance(20s - 1ns);
  EXPECT_EQ(status("s1").state, s::idle);
  advance(1ns);
  EXPECT_EQ(offline_at(c, "s1"), t1 + 30s + 20s);
}
