// Pending restarts are part of the durable record (DESIGN §12): a supervisor restarted
// on the same SQLite file in the middle of a backoff makes the restart at its due time
// still, and the record keeps the id's restart count across the new life.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "support/restart_fixture.hpp"
#include "support/scratch_dir.hpp"
#include "vigil/stores/fleet_store.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SqliteRestart : public vigil::test::restart_fixture {
public:
  std::shared_ptr<fleet_store> open() {
    store_settings x;
    x.kind = store_kind::sqlite;
    x.path = scratch_ / "fleet.db";
    auto store = open_store(x);
    EXPECT_TRUE(store) << sys.render(store.error());
    return store ? *store : nullptr;
  }

  void start_on(std::shared_ptr<fleet_store> store) {
    auto x = spawn_supervisor(sys, cfg, std::move(store), options);
    ASSERT_TRUE(x) << sys.render(x.error());
    sup = track(*x);
    sched.run();
  }

  vigil::test::scratch_dir scratch_;
};

TEST_F(SqliteRestart, ASupervisorRestartOnTheSameFileKeepsTheDueTimeAndTheCount) {
  cfg.restart.policy = restart_mode::transient;
  cfg.restart.backoff.min = 4s;
  start_on(open());
  spawner("n1");
  crash(agent("a"));
  auto due = now() + 4s;
  advance(1s);
  ASSERT_TRUE(ask<supervisor_stats>(sup, stop_atom::value)); // commits, then ends
  {
    auto rows = open()->load();
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->agents.size(), 1u);
    auto& a = rows->agents.front();
    EXPECT_EQ(a.state, s::failed);
    ASSERT_TRUE(a.restart_due);
    EXPECT_EQ(*a.restart_due, due - time_point{});
    EXPECT_EQ(a.restart_attempt, 1u);
    EXPECT_EQ(a.restart_cause, "crashed");
  }
  start_on(open()); // the same file, a new supervisor
  auto sp = spawner("n1");
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
  EXPECT_FALSE(st.restart_due);
  // And the file has the new life with its count, nothing pending.
  ASSERT_TRUE(ask<supervisor_stats>(sup, stop_atom::value));
  auto rows = open()->load();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->agents.size(), 1u);
  EXPECT_EQ(rows->agents.front().restarts, 1u);
  EXPECT_EQ(rows->agents.front().last_restart_reason, "crashed");
  EXPECT_FALSE(rows->agents.front().restart_due);
}

TEST_F(SqliteRestart,
       ARestoredRestartWaitsForASpawnerFromTheNewStartNotFromItsDueTime) {
  cfg.restart.policy = restart_mode::transient;
  cfg.restart.backoff.min = 4s;
  cfg.restart.wait_for_spawner = 10s;
  start_on(open());
  spawner("n1");
  crash(agent("a"));
  advance(1s);
  ASSERT_TRUE(ask<supervisor_stats>(sup, stop_atom::value));
  advance(1min); // no supervisor runs: no node can offer to one
  start_on(open());
  auto started = now();
  advance(10s - 1ns);
  EXPECT_EQ(ask<supervisor_stats>(sup, stats_atom::value)->restarts_given_up, 0u);
  EXPECT_EQ(ask<supervisor_stats>(sup, stats_atom::value)->restarts_pending, 1u);
  advance(1ns); // wait_for_spawner after the start, not after the due time
  auto stats = ask<supervisor_stats>(sup, stats_atom::value);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->restarts_given_up, 1u);
  EXPECT_EQ(stats->restarts_pending, 0u);
  EXPECT_EQ(now(), started + 10s);
  EXPECT_EQ(status("a").state, s::failed);
}

} // namespace
