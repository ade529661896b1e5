// Per-type settings in the supervisor actor, in virtual time: a type's own keys, the
// globals for every key it does not set (DESIGN §8).
#include <chrono>

#include "support/supervisor_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SupervisorTypeSettings : public vigil::test::supervisor_fixture {
public:
  SupervisorTypeSettings() {
    cfg.heartbeat.interval = 4s;
    cfg.heartbeat.timeout = 30s;
    cfg.heartbeat.check_interval = 3s;
    cfg.heartbeat.max_missed = 3;
    cfg.offline_retention = 1h;
  }

  supervisor_settings cfg;
};

} // namespace

TEST_F(SupervisorTypeSettings, ATypeWithOnlyItsTimeoutMissesOnTheGlobalCheckInterval) {
  cfg.types["coder"].heartbeat.timeout = 20s; // the other keys: the globals
  start(cfg);
  auto c = collector();
  auto t0 = now();
  auto p = idle_agent("c1", "coder");
  idle_agent("w1"); // no entry: 30 s + 2 * 3 s
  EXPECT_EQ(ack_of("c1").heartbeat_interval, duration{4s});
  advance(5s);
  beat(p, "c1", s::idle);
  // Last beat + its own timeout + (global max_missed - 1) * the global check interval.
  auto due = t0 + 5s + 20s + 2 * 3s;
  advance(due - now() - 1ns);
  EXPECT_EQ(status("c1").state, s::idle);
  EXPECT_EQ(status("c1").missed, 2u);
  advance(1ns);
  EXPECT_EQ(status("c1").state, s::offline);
  EXPECT_EQ(status("c1").reason, "heartbeat_timeout");
  auto last = events_of(c).back();
  EXPECT_EQ(last.agent, "c1");
  EXPECT_EQ(last.to, s::offline);
  EXPECT_EQ(last.at, due);
  EXPECT_EQ(status("w1").state, s::idle);
  advance(t0 + 36s - now() - 1ns);
  EXPECT_EQ(status("w1").state, s::idle);
  advance(1ns);
  EXPECT_EQ(status("w1").state, s::offline);
  // The global offline_retention too: an hour after going offline, lost.
  advance(due + 1h - now() - 1ns);
  EXPECT_EQ(status("c1").state, s::offline);
  advance(1ns);
  EXPECT_EQ(status("c1").state, s::failed);
  EXPECT_EQ(status("c1").reason, "lost");
}

TEST_F(SupervisorTypeSettings, ATypeWithOnlyItsOfflineRetentionKeepsTheGlobalLiveness) {
  cfg.types["keeper"].offline_retention = vigil::off;
  cfg.types["brief"].offline_retention = 1min;
  start(cfg);
  auto t0 = now();
  idle_agent("k", "keeper");
  idle_agent("b", "brief");
  advance(36s - 1ns); // the global liveness for both
  EXPECT_EQ(status("k").state, s::idle);
  EXPECT_EQ(status("b").state, s::idle);
  advance(1ns);
  EXPECT_EQ(status("k").state, s::offline);
  EXPECT_EQ(status("b").state, s::offline);
  advance(t0 + 36s + 1min - now());
  EXPECT_EQ(status("b").state, s::failed);
  advance(1000h);
  EXPECT_EQ(status("k").state, s::offline);
}
