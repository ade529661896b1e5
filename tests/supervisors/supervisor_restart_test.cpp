// Restarts in the supervisor actor, in virtual time with real agents (DESIGN §12):
// which endings restart under which policy, exactly when, and with which events.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "support/restart_fixture.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SupervisorRestart : public vigil::test::restart_fixture {};

enum class ending { completed, failed, crash, watchdog, kill };

const char* name_of(ending x) {
  switch (x) {
  case ending::completed:
    return "completed";
  case ending::failed:
    return "failed";
  case ending::crash:
    return "crash";
  case ending::watchdog:
    return "watchdog";
  case ending::kill:
    return "kill";
  }
  return "?";
}

} // namespace

TEST_F(SupervisorRestart, EachPolicyAndEndingRestartsOrNotExactlyAtDue) {
  cfg.types["perm"].restart.policy = restart_mode::permanent;
  cfg.types["trans"].restart.policy = restart_mode::transient;
  cfg.types["temp"].restart.policy = restart_mode::temporary;
  cfg.watchdog.idle_timeout = 10s; // fires at once: no drain window
  start(cfg);
  auto c = collector();
  auto sp = spawner("n1", {"perm", "trans", "temp"});
  ASSERT_TRUE(spawned(sp).answered);
  ASSERT_FALSE(spawned(sp).offer_reply);
  const std::vector<ending> endings{ending::completed, ending::failed, ending::crash,
                                    ending::watchdog, ending::kill};
  std::map<std::string, agent_actor> agents;
  for (auto* type : {"perm", "trans", "temp"}) {
    for (auto e : endings) {
      auto id = std::string{type} + "-" + name_of(e);
      agents[id] = agent(id, type);
      if (e == ending::watchdog) { // busy and silent: fired 10 s from now
        ASSERT_TRUE(ask<slot_outcome>(agents[id], slot_atom::value, slot_kind::work,
                                      std::string{"job"}));
      }
    }
  }
  advance(10s);
  auto t_end = now();
  for (auto* type : {"perm", "trans", "temp"})
    for (auto e : endings) {
      auto id = std::string{type} + "-" + name_of(e);
      auto& a = agents[id];
      switch (e) {
      case ending::completed:
        caf::anon_send(a, complete_atom::value);
        break;
      case ending::failed:
        caf::anon_send(a, fail_atom::value, std::string{"broke"});
        break;
      case ending::crash:
        crash(a);
        break;
      case ending::watchdog:
        break; // fired at t_end
      case ending::kill:
        EXPECT_FALSE(tell(sup, kill_atom::value, id));
        break;
      }
      sched.run();
    }
  std::map<std::string, bool> restarts{
      {"perm-completed", true}, {"perm-failed", true},     {"perm-crash", true},
      {"perm-watchdog", true},  {"perm-kill", false},      {"trans-completed", false},
      {"trans-failed", true},   {"trans-crash", true},     {"trans-watchdog", true},
      {"trans-kill", false},    {"temp-completed", false}, {"temp-failed", false},
      {"temp-crash", false},    {"temp-watchdog", false},  {"temp-kill", false}};
  std::map<std::string, uint64_t> ended_version;
  for (auto& [id, want] : restarts) {
    SCOPED_TRACE(id);
    auto st = status(id);
    ASSERT_TRUE(is_terminal(st.state));
    EXPECT_EQ(st.ended_at, t_end);
    ended_version[id] = st.version;
    auto sched_events = events(c, event_kind::restart_scheduled, id);
    if (!want) {
      EXPECT_TRUE(sched_events.empty());
      EXPECT_FALSE(st.restart_due);
      continue;
    }
    ASSERT_EQ(sched_events.size(), 1u);
    auto& e = sched_events[0];
    EXPECT_EQ(e.at, t_end);
    EXPECT_EQ(e.reason, st.reason); // the cause: the end's reason
    EXPECT_EQ(e.details, st.reason);
    EXPECT_EQ(e.attempt, 1u);
    EXPECT_EQ(e.restarts, 0u);
    EXPECT_EQ(e.delay, duration{1s});
    EXPECT_EQ(e.due, t_end + 1s);
    EXPECT_EQ(st.restart_due, t_end + 1s);
    // Right after the transition that ended it, at the same instant.
    auto all = events_of(c);
    for (size_t i = 1; i < all.size(); ++i)
      if (all[i].kind == event_kind::restart_scheduled && all[i].agent == id) {
        EXPECT_EQ(all[i - 1].agent, id);
        EXPECT_TRUE(is_terminal(all[i - 1].to));
      }
  }
  advance(1s - 1ns);
  for (auto& [id, want] : restarts)
    EXPECT_TRUE(is_terminal(status(id).state)) << id;
  EXPECT_TRUE(spawned(sp).requests.empty());
  advance(1ns);
  for (auto& [id, want] : restarts) {
    SCOPED_TRACE(id);
    auto st = status(id);
    if (!want) {
      EXPECT_TRUE(is_terminal(st.state));
      continue;
    }
    EXPECT_EQ(st.state, s::idle);
    EXPECT_EQ(st.registered_at, t_end + 1s);
    EXPECT_GT(st.version, ended_version[id]); // versions keep rising per id
    EXPECT_EQ(st.restarts, 1u);
    EXPECT_FALSE(st.restart_due);
    auto regs = events(c, event_kind::registered, id);
    ASSERT_EQ(regs.size(), 2u);
    EXPECT_EQ(regs[1].reason, "restarted");
    EXPECT_EQ(regs[1].at, t_end + 1s);
    EXPECT_EQ(regs[1].attempt, 1u);
    EXPECT_EQ(regs[1].restarts, 1u);
    EXPECT_EQ(regs[1].details, st.last_restart_reason);
    EXPECT_GT(regs[1].version, ended_version[id]);
  }
  auto x = stats();
  EXPECT_EQ(x.restarts, 7u);
  EXPECT_EQ(x.restarts_scheduled, 7u);
  EXPECT_EQ(x.restarts_pending, 0u);
  EXPECT_EQ(x.spawners, 1u);
}

// `vigil_restarts_total{type}` of a type with a single agent: between its lives the
// type has only the ended record, which the new life replaces; its count goes on.
TEST_F(SupervisorRestart, AOneAgentTypesRestartsCountOnInTheMetricsAcrossItsLives) {
  start(cfg);
  auto sp = spawner("n1");
  crash(agent("a"));
  for (auto delay : {1s, 2s, 4s}) {
    advance(delay);
    ASSERT_EQ(status("a").state, s::idle);
    if (delay != 4s)
      crash(spawned(sp).agents.at("a"));
  }
  auto m = metrics();
  ASSERT_EQ(m.types.size(), 1u);
  EXPECT_EQ(m.types[0].type, "worker");
  EXPECT_EQ(m.types[0].restarts, 3u);
  EXPECT_EQ(m.types[0].agents.at(static_cast<size_t>(s::idle)), 1u);
  uint64_t records = 0;
  for (auto n : m.types[0].agents)
    records += n;
  EXPECT_EQ(records, 1u); // the one record, whatever its lives
}

TEST_F(SupervisorRestart, ACrashLoopBacksOffOneTwoFourThenGivesUpAtTheCrash) {
  cfg.restart.intensity = restart_intensity{3, 1min};
  start(cfg);
  auto c = collector();
  auto sp = spawner("n1");
  crash(agent("a"));
  auto t = now();
  for (auto delay : {1s, 2s, 4s}) {
    advance(delay - 1ns);
    EXPECT_TRUE(is_terminal(status("a").state));
    advance(1ns);
    ASSERT_EQ(status("a").state, s::idle);
    EXPECT_EQ(status("a").registered_at, t + delay);
    t = now();
    crash(spawned(sp).agents.at("a"));
  }
  auto sched_events = events(c, event_kind::restart_scheduled, "a");
  ASSERT_EQ(sched_events.size(), 3u);
  EXPECT_EQ(sched_events[0].delay, duration{1s});
  EXPECT_EQ(sched_events[1].delay, duration{2s});
  EXPECT_EQ(sched_events[2].delay, duration{4s});
  EXPECT_EQ(sched_events[2].attempt, 3u);
  EXPECT_EQ(sched_events[2].restarts, 2u);
  auto gave_up = events(c, event_kind::restart_gave_up, "a");
  ASSERT_EQ(gave_up.size(), 1u);
  EXPECT_EQ(gave_up[0].at, t); // the fourth crash: stamped when it ended
  EXPECT_EQ(gave_up[0].reason, "intensity");
  EXPECT_EQ(gave_up[0].details, "crashed");
  advance(1h - 1ns);
  auto st = status("a");
  EXPECT_EQ(st.state, s::failed); // it stays ended
  EXPECT_EQ(st.restarts, 3u);
  EXPECT_EQ(st.last_restart_reason, "crashed");
  EXPECT_FALSE(st.restart_due);
  EXPECT_EQ(spawned(sp).requests.size(), 3u);
  EXPECT_EQ(stats().restarts_given_up, 1u);
}

TEST_F(SupervisorRestart, NodeShutdownExitIsKilledAndNeverRestarted) {
  start(cfg);
  auto c = collector();
  spawner("n1");
  auto a = agent("a");
  exit_with(a, make_error(errc::node_shutdown));
  auto st = status("a");
  EXPECT_EQ(st.state, s::killed);
  EXPECT_EQ(st.reason, "node_shutdown");
  advance(1min);
  EXPECT_EQ(status("a").state, s::killed);
  EXPECT_TRUE(events(c, event_kind::restart_scheduled, "a").empty());
}

TEST_F(SupervisorRestart, AnOlderLifeReRegisteringAfterItsRestartIsSuperseded) {
  cfg.restart.policy = restart_mode::transient;
  start(cfg);
  auto sp = spawner("n1");
  auto p = puppet(); // the first life, driven by hand
  reg(p, "a");
  report(p, "a", s::spawning, s::idle);
  report(p, "a", s::idle, s::failed);
  EXPECT_EQ(status("a").state, s::failed);
  // While its restart is pending, the ended life may not come back either.
  reg_again(p, "a", s::idle);
  EXPECT_EQ(code_of(last_reply(p)), errc::superseded);
  advance(1s);
  ASSERT_EQ(status("a").state, s::idle);
  EXPECT_EQ(status("a").restarts, 1u);
  reg_again(p, "a", s::idle); // a healed partition: the old life shows its token
  EXPECT_EQ(code_of(last_reply(p)), errc::superseded);
  EXPECT_EQ(status("a").state, s::idle);
  EXPECT_EQ(status("a").registered_at, now()); // the new life keeps the id
  EXPECT_EQ(spawned(sp).requests.size(), 1u);
}

TEST_F(SupervisorRestart, APendingRestartKeepsItsRecordPastRetentionAndShowsInStatus) {
  cfg.retention = 10s;
  cfg.restart.wait_for_spawner = std::nullopt; // waits as long as it takes
  start(cfg);
  crash(agent("a")); // no spawner anywhere
  auto t_end = now();
  auto st = status("a");
  EXPECT_EQ(st.restart_due, t_end + 1s);
  EXPECT_EQ(stats().restarts_pending, 1u);
  advance(1h);
  st = status("a"); // not purged while its restart waits
  EXPECT_EQ(st.state, s::failed);
  EXPECT_EQ(st.restart_due, t_end + 1s);
  auto sp = spawner("n1"); // the wait ends: the restart is made at once
  EXPECT_EQ(status("a").state, s::idle);
  EXPECT_EQ(status("a").registered_at, now());
  EXPECT_EQ(spawned(sp).requests.size(), 1u);
  auto x = stats();
  EXPECT_EQ(x.restarts_pending, 0u);
  EXPECT_EQ(x.restarts, 1u);
}

TEST_F(SupervisorRestart, EveryLaterRegistrationCarriesTheIdsRestartCount) {
  start(cfg); // permanent
  auto c = collector();
  spawner("n1");
  crash(agent("a"));
  advance(1s);
  ASSERT_EQ(status("a").restarts, 1u);
  ASSERT_FALSE(tell(sup, kill_atom::value, std::string{"a"})); // final: no restart
  agent("a");                                                  // started again by hand
  auto regs = events(c, event_kind::registered, "a");
  ASSERT_EQ(regs.size(), 3u);
  EXPECT_EQ(regs[1].reason, "restarted");
  EXPECT_EQ(regs[1].restarts, 1u);
  EXPECT_EQ(regs[2].reason, "registered");
  EXPECT_EQ(regs[2].restarts, 1u); // the store takes the count from the event
  EXPECT_EQ(status("a").restarts, 1u);
}

TEST_F(SupervisorRestart, ARegistrationByHandCancelsThePendingRestart) {
  start(cfg);
  auto c = collector();
  auto sp = spawner("n1");
  crash(agent("a"));
  auto old_version = status("a").version;
  advance(500ms);
  agent("a"); // started again by someone else before the restart was due
  EXPECT_EQ(status("a").state, s::idle);
  EXPECT_GT(status("a").version, old_version);
  EXPECT_FALSE(status("a").restart_due);
  EXPECT_EQ(events(c, event_kind::registered, "a").back().reason, "registered");
  advance(1min);
  EXPECT_TRUE(spawned(sp).requests.empty());
  EXPECT_EQ(stats().restarts_pending, 0u);
}

TEST_F(SupervisorRestart, ASpawnerThatBringsNoLifeFailsTheAttemptAfterTheTimeout) {
  start(cfg);
  auto c = collector();
  auto sp = spawner("n1", {"worker"}, true); // asked, starts nothing
  crash(agent("a"));
  auto t_end = now();
  advance(1s);
  ASSERT_EQ(spawned(sp).requests.size(), 1u);
  auto& req = spawned(sp).requests[0];
  EXPECT_EQ(req.id, "a");
  EXPECT_EQ(req.type, "worker");
  EXPECT_EQ(req.attempt, 1u);
  EXPECT_EQ(req.reason, "crashed");
  EXPECT_EQ(req.version, status("a").version);
  advance(5s - 1ns); // the type's heartbeat timeout
  EXPECT_EQ(events(c, event_kind::restart_scheduled, "a").size(), 1u);
  advance(1ns);
  auto sched_events = events(c, event_kind::restart_scheduled, "a");
  ASSERT_EQ(sched_events.size(), 2u);
  EXPECT_EQ(sched_events[1].at, t_end + 6s);
  EXPECT_EQ(sched_events[1].reason, "spawn_timeout");
  EXPECT_EQ(sched_events[1].attempt, 2u);
  EXPECT_EQ(sched_events[1].delay, duration{2s});
  advance(2s);
  EXPECT_EQ(spawned(sp).requests.size(), 2u);
  EXPECT_EQ(spawned(sp).requests[1].attempt, 2u);
}

TEST_F(SupervisorRestart, ALostAgentRestartsOnlyOnceItEndsLost) {
  cfg.restart.policy = restart_mode::transient;
  cfg.offline_retention = 10s;
  start(cfg);
  auto c = collector();
  auto sp = spawner("n1");
  auto a = agent("a");
  caf::anon_send(a, hang_atom::value); // no beat from now on
  sched.run();
  advance(6s);
  ASSERT_EQ(status("a").state, s::offline); // offline has not ended: no restart
  EXPECT_TRUE(events(c, event_kind::restart_scheduled, "a").empty());
  time_point t_off;
  for (auto& e : events(c, event_kind::transition, "a"))
    if (e.to == s::offline)
      t_off = e.at;
  advance(t_off + 10s - now()); // offline_retention
  ASSERT_EQ(status("a").state, s::failed);
  EXPECT_EQ(status("a").reason, "lost");
  auto t_lost = status("a").ended_at;
  ASSERT_TRUE(t_lost);
  EXPECT_EQ(*t_lost, t_off + 10s);
  auto sched_events = events(c, event_kind::restart_scheduled, "a");
  ASSERT_EQ(sched_events.size(), 1u);
  EXPECT_EQ(sched_events[0].reason, "lost");
  EXPECT_EQ(sched_events[0].due, *t_lost + 1s);
  advance(*t_lost + 1s - now() - 1ns);
  EXPECT_EQ(status("a").state, s::failed);
  advance(1ns);
  EXPECT_EQ(status("a").state, s::idle);
  EXPECT_EQ(status("a").last_restart_reason, "lost");
  EXPECT_EQ(spawned(sp).requests.size(), 1u);
}
