// What vigil-node watch and status print (examples/vigil-node/observe_text.cpp):
// restart events and a restarted registration in the watch's lines, and each agent's
// restarts and pending restart in status --agents, as text and as JSON.
#include "vigil-node/observe_text.hpp"

#include <chrono>

#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;
using vigil::node::agent_json;
using vigil::node::agent_text;
using vigil::node::event_text;

namespace {

// The Unix epoch on the clock: the status's `origin`.
const auto unix_epoch = time_point{};

event restart_event(event_kind kind) {
  event e;
  e.seq = 7;
  e.kind = kind;
  e.agent = "a1";
  e.type = "worker";
  e.node = "n1";
  e.from = e.to = agent_state::failed;
  e.reason = e.details = "crashed";
  e.at = unix_epoch + 10s;
  e.attempt = 2;
  e.restarts = 1;
  e.delay = 2s;
  e.due = e.at + 2s;
  return e;
}

agent_status failed_agent() {
  agent_status a;
  a.id = "a1";
  a.type = "worker";
  a.node = "n1";
  a.state = agent_state::failed;
  a.seconds_since_beat = 1.5;
  return a;
}

} // namespace

TEST(ObserveText, RestartEventsReadAsTheirAttemptPauseAndCause) {
  auto e = restart_event(event_kind::restart_scheduled);
  EXPECT_EQ(event_text(e), "#7 a1 (worker, n1): restart_scheduled attempt 2 in 2s "
                           "(crashed)");
  e.delay = 2317ms + 400us; // jittered
  EXPECT_EQ(event_text(e), "#7 a1 (worker, n1): restart_scheduled attempt 2 in 2.317s "
                           "(crashed)");
  e = restart_event(event_kind::restart_gave_up);
  e.reason = "intensity";
  EXPECT_EQ(event_text(e), "#7 a1 (worker, n1): restart_gave_up (intensity)");
}

TEST(ObserveText, ARestartedRegistrationNamesItsAttemptCauseAndCount) {
  auto e = restart_event(event_kind::registered);
  e.from = e.to = agent_state::spawning;
  e.reason = "restarted";
  e.restarts = 3;
  EXPECT_EQ(event_text(e), "#7 a1 (worker, n1): registered restarted (attempt 2 after "
                           "crashed, 3 restarts)");
  e.reason = "registered"; // a first life: as before
  e.attempt = e.restarts = 0;
  e.details.clear();
  EXPECT_EQ(event_text(e), "#7 a1 (worker, n1): registered registered");
  auto t = restart_event(event_kind::transition);
  t.from = agent_state::idle;
  t.error = "exit code 3";
  EXPECT_EQ(event_text(t), "#7 a1 (worker, n1): idle -> failed (crashed): exit code 3");
}

TEST(ObserveText, StatusShowsRestartsAndThePendingRestartsDueTime) {
  auto a = failed_agent();
  EXPECT_EQ(agent_text(a, unix_epoch), "a1 failed last beat 1.5 s ago, node n1");
  a.restarts = 2;
  a.last_restart_reason = "crashed";
  EXPECT_EQ(agent_text(a, unix_epoch),
            "a1 failed last beat 1.5 s ago, node n1, restarts 2 (last: crashed)");
  a.restart_due = unix_epoch + 1'795'412'345'120ms + 999us;
  EXPECT_EQ(agent_text(a, unix_epoch),
            "a1 failed last beat 1.5 s ago, node n1, restarts 2 (last: crashed), "
            "restart due 2026-11-23 05:39:05.120 UTC");
  // The same instant from another origin: the due time moves with it.
  EXPECT_NE(agent_text(a, unix_epoch + 1s).find("restart due 2026-11-23 05:39:04.120"),
            std::string::npos);
}

TEST(ObserveText, StatusJsonHasRestartsReasonAndDueOrNull) {
  auto a = failed_agent();
  auto o = agent_json(a, unix_epoch);
  EXPECT_EQ(o.at("restarts"), 0);
  EXPECT_EQ(o.at("last_restart_reason"), "");
  EXPECT_TRUE(o.at("restart_due").is_null());
  a.restarts = 4;
  a.last_restart_reason = "lost";
  a.restart_due = unix_epoch + 1500ms;
  o = agent_json(a, unix_epoch);
  EXPECT_EQ(o.at("restarts"), 4);
  EXPECT_EQ(o.at("last_restart_reason"), "lost");
  EXPECT_EQ(o.at("restart_due").as_double(), 1.5);
  EXPECT_EQ(o.at("id"), "a1");
  EXPECT_EQ(o.at("state"), "failed");
}
