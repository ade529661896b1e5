// Where and how fast restarts are made, in virtual time with real agents (DESIGN §12):
// waiting for a spawner, `placement: any`, the `restart_rate` token bucket, and a
// supervisor restart in the middle of a backoff.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "support/restart_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SupervisorRestartPlacement : public vigil::test::restart_fixture {};

/// A record in memory that applies events to its rows as `fleet_store` documents,
/// restart fields included.
class memory_store : public fleet_store {
public:
  std::string describe() const override { return "memory"; }

  caf::expected<stored_fleet> load() override {
    stored_fleet x;
    for (auto& [id, row] : rows_)
      x.agents.push_back(row);
    x.last_seq = last_seq_;
    x.epoch = epoch_;
    return x;
  }

  caf::expected<uint64_t> begin_epoch() override { return ++epoch_; }

  caf::error commit(const std::vector<event>& events, time_point origin) override {
    for (auto& e : events) {
      if (e.seq <= last_seq_)
        continue;
      last_seq_ = e.seq;
      apply(e, origin);
    }
    return {};
  }

  caf::error repair(const std::vector<stored_agent>& agents, uint64_t,
                    time_point) override {
    rows_.clear();
    for (auto& a : agents)
      rows_[a.id] = a;
    return {};
  }

  std::map<std::string, stored_agent> rows_;

private:
  void apply(const event& e, time_point origin) {
    switch (e.kind) {
    case event_kind::registered: {
      auto& row = rows_[e.agent];
      auto restarts = row.restarts;
      auto last_reason = row.last_restart_reason;
      row = stored_agent{};
      row.id = e.agent;
      row.type = e.type;
      row.node = e.node;
      row.state = e.to;
      row.version = e.version;
      row.registered_at = e.at - origin;
      row.token_digest = e.token_digest;
      row.node_key_digest = e.node_key_digest;
      row.restarts = e.reason == "restarted" ? e.restarts : restarts;
      row.last_restart_reason = e.reason == "restarted" ? e.details : last_reason;
      break;
    }
    case event_kind::transition: {
      auto& row = rows_[e.agent];
      row.state = e.to;
      row.version = e.version;
      row.reason = e.reason;
      if (is_terminal(e.to))
        row.ended_at = e.at - origin;
      if (!e.error.empty())
        row.last_error = e.error;
      break;
    }
    case event_kind::restart_scheduled: {
      auto& row = rows_[e.agent];
      row.restart_due = *e.due - origin;
      row.restart_attempt = e.attempt;
      row.restart_cause = e.details;
      break;
    }
    case event_kind::restart_gave_up:
      rows_[e.agent].restart_due = caf::none;
      break;
    case event_kind::purged:
      rows_.erase(e.agent);
      break;
    default:
      break;
    }
  }

  uint64_t last_seq_ = 0;
  uint64_t epoch_ = 0;
};

} // namespace

TEST_F(SupervisorRestartPlacement, SameNodeWaitsForItsSpawnerThenGivesUpExactly) {
  cfg.restart.wait_for_spawner = 10s;
  start(cfg);
  auto c = collector();
  auto other = spawner("n2"); // offers the type, on another node
  crash(agent("a"));
  auto t_end = now();
  advance(11s - 1ns);
  EXPECT_TRUE(events(c, event_kind::restart_gave_up, "a").empty());
  EXPECT_EQ(status("a").restart_due, t_end + 1s);
  advance(1ns);
  auto gave_up = events(c, event_kind::restart_gave_up, "a");
  ASSERT_EQ(gave_up.size(), 1u);
  EXPECT_EQ(gave_up[0].at, t_end + 11s); // due + wait_for_spawner
  EXPECT_EQ(gave_up[0].reason, "no_spawner");
  EXPECT_EQ(gave_up[0].details, "crashed");
  EXPECT_FALSE(status("a").restart_due);
  EXPECT_TRUE(spawned(other).requests.empty());
  spawner("n1"); // too late: given up
  EXPECT_EQ(status("a").state, s::failed);
}

TEST_F(SupervisorRestartPlacement, ASpawnerOfferedDuringTheWaitRestartsAtOnce) {
  cfg.restart.wait_for_spawner = 10s;
  start(cfg);
  auto c = collector();
  crash(agent("a"));
  advance(5s);
  auto sp = spawner("n1");
  EXPECT_EQ(status("a").state, s::idle);
  EXPECT_EQ(status("a").registered_at, now());
  ASSERT_EQ(spawned(sp).requests.size(), 1u);
  advance(1min);
  EXPECT_TRUE(events(c, event_kind::restart_gave_up, "a").empty());
  EXPECT_EQ(status("a").state, s::idle);
}

TEST_F(SupervisorRestartPlacement, AnyRestartsOnTheNodeWithFewestLiveAgents) {
  cfg.restart.placement = restart_placement::any;
  start(cfg);
  auto n1 = spawner("n1");
  auto n2 = spawner("n2");
  auto n3 = spawner("n3");
  agent("b", "worker", "n2"); // n2 has a live agent; n3 has none
  auto a = agent("a", "worker", "n1");
  caf::anon_send_exit(n1, caf::exit_reason::kill); // node n1 offers no more
  sched.run();
  EXPECT_EQ(stats().spawners, 2u);
  crash(a);
  advance(1s);
  EXPECT_TRUE(spawned(n2).requests.empty());
  ASSERT_EQ(spawned(n3).requests.size(), 1u);
  auto st = status("a");
  EXPECT_EQ(st.state, s::idle);
  EXPECT_EQ(st.node, "n3");
}

TEST_F(SupervisorRestartPlacement,
       ARestartAskedOfASpawnerThatGoesIsAskedElsewhereAtOnce) {
  cfg.restart.placement = restart_placement::any;
  start(cfg);
  auto dead = spawner("n1", {"worker"}, true); // takes requests, starts nothing
  auto n2 = spawner("n2");
  agent("b", "worker", "n2"); // n1 has fewer live agents: it is asked first
  auto a = agent("a", "worker", "n1");
  crash(a);
  advance(1s);
  ASSERT_EQ(spawned(dead).requests.size(), 1u);
  EXPECT_TRUE(spawned(n2).requests.empty());
  caf::anon_send_exit(dead, caf::exit_reason::kill); // its node goes, the life with it
  sched.run();
  ASSERT_EQ(spawned(n2).requests.size(), 1u);     // at once, not after the timeout
  EXPECT_EQ(spawned(n2).requests[0].attempt, 1u); // the node failed, not the agent
  auto st = status("a");
  EXPECT_EQ(st.state, s::idle);
  EXPECT_EQ(st.node, "n2");
  EXPECT_EQ(st.restarts, 1u);
  EXPECT_EQ(st.last_restart_reason, "crashed");
}

TEST_F(SupervisorRestartPlacement,
       TenCrashesUnderTheRateRestartTwoThenOneEveryHalfSecond) {
  cfg.restart_rate = restart_rate_settings{2, 2};
  start(cfg);
  auto sp = spawner("n1");
  std::vector<agent_actor> agents;
  for (int i = 0; i < 10; ++i)
    agents.push_back(agent("a" + std::to_string(i)));
  for (auto i = agents.rbegin(); i != agents.rend(); ++i) // at one instant, last first
    crash(*i);
  auto due = now() + 1s;
  std::vector<time_point> want;
  for (int i = 0; i < 10; ++i)
    want.push_back(i < 2 ? due : due + (i - 1) * 500ms);
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE(i);
    auto id = "a" + std::to_string(i);
    if (now() < want[i]) {
      advance(want[i] - now() - 1ns);
      EXPECT_EQ(status(id).state, s::failed);
      advance(1ns);
    }
    EXPECT_EQ(status(id).state, s::idle);
    EXPECT_EQ(status(id).registered_at, want[i]);
    for (int j = i + 1; j < 10; ++j) {
      if (want[j] > want[i]) {
        EXPECT_EQ(status("a" + std::to_string(j)).state, s::failed);
      }
    }
  }
  ASSERT_EQ(spawned(sp).requests.size(), 10u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(spawned(sp).requests[i].id, "a" + std::to_string(i));
}

TEST_F(SupervisorRestartPlacement,
       ASupervisorRestartInTheMiddleOfABackoffKeepsTheDueTime) {
  cfg.restart.backoff.min = 4s;
  auto store = std::make_shared<memory_store>();
  auto first = spawn_supervisor(sys, cfg, store, options);
  ASSERT_TRUE(first);
  sup = track(*first);
  sched.run();
  spawner("n1");
  crash(agent("a"));
  auto due = now() + 4s;
  advance(1s);
  // An orderly stop: everything committed, then the supervisor ends.
  ASSERT_TRUE(ask<supervisor_stats>(sup, stop_atom::value));
  ASSERT_EQ(store->rows_.count("a"), 1u);
  EXPECT_EQ(store->rows_["a"].restart_due, due - time_point{});
  auto second = spawn_supervisor(sys, cfg, store, options);
  ASSERT_TRUE(second);
  sup = track(*second);
  sched.run();
  auto sp = spawner("n1"); // the node offers to the new supervisor
  EXPECT_EQ(status("a").state, s::failed);
  EXPECT_EQ(status("a").restart_due, due);
  advance(due - now() - 1ns);
  EXPECT_EQ(status("a").state, s::failed);
  EXPECT_TRUE(spawned(sp).requests.empty());
  advance(1ns);
  auto st = status("a");
  EXPECT_EQ(st.state, s::idle);
  EXPECT_EQ(st.registered_at, due);
  EXPECT_EQ(st.restarts, 1u);
  EXPECT_EQ(st.last_restart_reason, "crashed");
  ASSERT_EQ(spawned(sp).requests.size(), 1u);
  EXPECT_EQ(spawned(sp).requests[0].attempt, 1u);
  EXPECT_EQ(spawned(sp).requests[0].reason, "crashed");
}
