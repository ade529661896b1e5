// The agent actor in virtual time: registration, heartbeats, exhaustion, slots,
// refused requests, and the logger it writes to.
#include "agent_fixture.hpp"

#include <memory>

#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include "vigil/messages/log.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using namespace vigil::test;

TEST_F(Agent, RegistersThenGoesIdle) {
  auto a = spawn(agent_options{"coder-1", "coder", "n1"});
  ASSERT_EQ(recorded().registrations.size(), 1u);
  auto& reg = recorded().registrations[0];
  EXPECT_EQ(reg.id, "coder-1");
  EXPECT_EQ(reg.type, "coder");
  EXPECT_EQ(reg.node, "n1");
  EXPECT_EQ(reg.state, s::spawning);
  EXPECT_EQ(reg.version, 0u);
  EXPECT_EQ(transitions(), (decltype(transitions()){{s::spawning, s::idle, 1}}));
  auto v = view(a);
  EXPECT_EQ(v.state, s::idle);
  EXPECT_EQ(v.version, 1u);
}

TEST_F(Agent, SpawnRejectsBadOptions) {
  auto x = spawn_agent(sys, sup, agent_options{});
  ASSERT_FALSE(x);
  EXPECT_EQ(code_of(x.error()), errc::bad_config);
  agent_options zero{"a1"};
  zero.settings.heartbeat_interval = 0s;
  x = spawn_agent(sys, sup, zero);
  ASSERT_FALSE(x);
  EXPECT_EQ(sys.render(x.error()),
            "vigil::bad_config: heartbeat.interval: must be positive, found 0s");
  x = spawn_agent(sys, agent_facing_supervisor{}, agent_options{"a1"});
  ASSERT_FALSE(x);
  EXPECT_EQ(code_of(x.error()), errc::bad_config);
}

TEST_F(Agent, HeartbeatsAtTheConfiguredCadenceWithOneTimer) {
  agent_options opts{"a1"};
  opts.settings.heartbeat_interval = 7s;
  auto t0 = now();
  auto a = spawn(opts);
  EXPECT_EQ(pending_timers(), 1u);
  advance(7s - 1ns);
  EXPECT_TRUE(recorded().beats.empty());
  advance(1ns);
  ASSERT_EQ(recorded().beats.size(), 1u);
  EXPECT_EQ(recorded().beats[0].first, t0 + 7s);
  advance(63s);
  ASSERT_EQ(recorded().beats.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(recorded().beats[i].first, t0 + 7s * (i + 1)) << i;
    EXPECT_EQ(recorded().beats[i].second.id, "a1");
    EXPECT_EQ(recorded().beats[i].second.state, s::idle);
    EXPECT_EQ(recorded().beats[i].second.version, 1u);
  }
  EXPECT_EQ(pending_timers(), 1u);
}

TEST_F(Agent, HeartbeatCarriesTheCurrentStateAndVersion) {
  auto a = spawn();
  ASSERT_EQ(ask<slot_outcome>(a, slot_atom::value, slot_kind::on_call, std::string{}),
            slot_outcome::started);
  advance(10s);
  ASSERT_EQ(recorded().beats.size(), 1u);
  EXPECT_EQ(recorded().beats[0].second.state, s::on_call);
  EXPECT_EQ(recorded().beats[0].second.version, 2u);
}

TEST_F(Agent, ExhaustedRecoversAtExactlyFiveHoursByDefault) {
  auto a = spawn();
  advance(1h); // any instant
  auto t = now();
  ASSERT_FALSE(quota(a, quota_reason::rate_limit));
  auto v = view(a);
  EXPECT_EQ(v.state, s::exhausted);
  ASSERT_TRUE(v.recovery_at);
  EXPECT_EQ(*v.recovery_at, t + 5h);
  auto& report = recorded().reports.back();
  EXPECT_EQ(report.to, s::exhausted);
  EXPECT_EQ(report.reason, "rate_limit");
  ASSERT_TRUE(report.recovery_in);
  EXPECT_EQ(*report.recovery_in, duration{5h});
  advance(5h - 1ns);
  EXPECT_EQ(view(a).state, s::exhausted);
  advance(1ns);
  v = view(a);
  EXPECT_EQ(v.state, s::idle);
  EXPECT_FALSE(v.recovery_at);
  EXPECT_EQ(recorded().reports.back().reason, "recovered");
}

TEST_F(Agent, ExhaustedRecoversAtTheRetryAfterWhenGiven) {
  agent_options opts{"a1"};
  opts.settings.default_recovery = 2h;
  auto a = spawn(opts);
  ASSERT_EQ(ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{}),
            slot_outcome::started);
  ASSERT_FALSE(tell(a, quota_atom::value, quota_reason::billing, duration{90s}));
  EXPECT_EQ(recorded().reports.back().from, s::busy);
  advance(90s - 1ns);
  EXPECT_EQ(view(a).state, s::exhausted);
  advance(1ns);
  EXPECT_EQ(view(a).state, s::idle);
}

TEST_F(Agent, ExhaustedKeepsQueuedSlotsAndTakesThemOnRecovery) {
  auto a = spawn();
  ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{"t1"});
  ASSERT_EQ(
      ask<slot_outcome>(a, slot_atom::value, slot_kind::on_call, std::string{"t2"}),
      slot_outcome::queued);
  ASSERT_FALSE(tell(a, quota_atom::value, quota_reason::rate_limit, duration{1min}));
  advance(1min);
  auto v = view(a);
  EXPECT_EQ(v.state, s::on_call);
  EXPECT_EQ(v.queued, 0u);
}

TEST_F(Agent, SlotsQueueWhileBusyAndStartAtOnceOnFinish) {
  auto w = track(sys.spawn(worker));
  agent_options opts{"a1"};
  opts.settings.slot_queue = 2;
  opts.worker = w;
  auto a = spawn(opts);
  auto slot = [&](slot_kind k, std::string task) {
    return ask<slot_outcome>(a, slot_atom::value, k, std::move(task));
  };
  EXPECT_EQ(slot(slot_kind::work, "t1"), slot_outcome::started);
  EXPECT_EQ(slot(slot_kind::on_call, "t2"), slot_outcome::queued);
  EXPECT_EQ(slot(slot_kind::work, "t3"), slot_outcome::queued);
  auto full = slot(slot_kind::work, "t4");
  ASSERT_FALSE(full);
  EXPECT_EQ(sys.render(full.error()),
            "vigil::queue_full: agent \"a1\" has a full slot queue (capacity 2)");
  auto v = view(a);
  EXPECT_EQ(v.state, s::busy);
  EXPECT_EQ(v.queued, 2u);
  ASSERT_FALSE(tell(a, finish_atom::value));
  ASSERT_FALSE(tell(a, finish_atom::value));
  ASSERT_FALSE(tell(a, finish_atom::value));
  EXPECT_EQ(view(a).state, s::idle);
  EXPECT_EQ(transitions(), (decltype(transitions()){{s::spawning, s::idle, 1},
                                                    {s::idle, s::busy, 2},
                                                    {s::busy, s::idle, 3},
                                                    {s::idle, s::on_call, 4},
                                                    {s::on_call, s::idle, 5},
                                                    {s::idle, s::busy, 6},
                                                    {s::busy, s::idle, 7}}));
  auto& started = state_of<worker_state>(w).started;
  ASSERT_EQ(started.size(), 3u);
  EXPECT_EQ(started[0], std::make_pair(slot_kind::work, std::string{"t1"}));
  EXPECT_EQ(started[1], std::make_pair(slot_kind::on_call, std::string{"t2"}));
  EXPECT_EQ(started[2], std::make_pair(slot_kind::work, std::string{"t3"}));
}

TEST_F(Agent, SlotsOfferedWhileSpawningStartOnceRegistered) {
  auto x = spawn_agent(sys, sup, agent_options{"a1"});
  ASSERT_TRUE(x);
  auto a = track(*x);
  // Offered before the agent ever ran: it queues, then starts after registration.
  EXPECT_EQ(ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{}),
            slot_outcome::queued);
  EXPECT_EQ(view(a).state, s::busy);
}

namespace {

// Every request that the current state must refuse, and what each must leave alone.
void expect_refused(const char* what, const caf::error& err,
                    errc code = errc::invalid_transition) {
  ASSERT_TRUE(err) << what << " was accepted";
  EXPECT_EQ(code_of(err), code) << what;
}

} // namespace

TEST_F(Agent, InvalidRequestsInEachStateAreRefusedAndChangeNothing) {
  auto check_unchanged = [&](const agent_actor& a, const agent_view& before,
                             size_t reports_before) {
    auto after = view(a);
    EXPECT_EQ(after.state, before.state);
    EXPECT_EQ(after.version, before.version);
    EXPECT_EQ(after.queued, before.queued);
    EXPECT_EQ(recorded().reports.size(), reports_before);
  };
  // idle: nothing to finish.
  auto a = spawn(agent_options{"idle-1"});
  auto before = view(a);
  auto n = recorded().reports.size();
  auto err = tell(a, finish_atom::value);
  expect_refused("finish in idle", err, errc::invalid_request);
  EXPECT_EQ(sys.render(err), "vigil::invalid_request: agent \"idle-1\" cannot finish "
                             "while idle (only while busy or on_call)");
  check_unchanged(a, before, n);
  // exhausted: no slots, no finish, no second quota error. (busy and on_call refuse
  // only a slot beyond the queue: see SlotsQueueWhileBusyAndStartAtOnceOnFinish.)
  auto b = spawn(agent_options{"ex-1"});
  ASSERT_FALSE(quota(b, quota_reason::rate_limit));
  before = view(b);
  n = recorded().reports.size();
  expect_refused(
      "slot in exhausted",
      ask<slot_outcome>(b, slot_atom::value, slot_kind::work, std::string{}).error());
  expect_refused(
      "on_call slot in exhausted",
      ask<slot_outcome>(b, slot_atom::value, slot_kind::on_call, std::string{})
          .error());
  expect_refused("finish in exhausted", tell(b, finish_atom::value),
                 errc::invalid_request);
  expect_refused("quota in exhausted", quota(b, quota_reason::billing));
  expect_refused("quota with retry in exhausted",
                 tell(b, quota_atom::value, quota_reason::billing, duration{1s}));
  check_unchanged(b, before, n);
  // spawning: no registration answer yet, so no finish and no quota.
  recorded().hold_registrations = true;
  auto c = spawn(agent_options{"sp-1"});
  before = view(c);
  EXPECT_EQ(before.state, s::spawning);
  n = recorded().reports.size();
  expect_refused("finish in spawning", tell(c, finish_atom::value),
                 errc::invalid_request);
  expect_refused("quota in spawning", quota(c, quota_reason::rate_limit));
  check_unchanged(c, before, n);
}

TEST_F(Agent, BeatsAtTheSupervisorsIntervalAndCarriesItsProofs) {
  // One source of heartbeat settings (DESIGN §11): the answer's interval wins over
  // the agent's own.
  recorded().interval = 3s;
  agent_options opts{"a1"};
  opts.settings.heartbeat_interval = 10s;
  auto t0 = now();
  auto a = spawn(opts);
  advance(9s);
  ASSERT_EQ(recorded().beats.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(recorded().beats[i].first, t0 + 3s * (i + 1)) << i;
    EXPECT_EQ(recorded().beats[i].second.secret, 1001u); // 1000 + key 1
  }
  // Reports carry the life's token from the answer.
  ASSERT_EQ(ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{}),
            slot_outcome::started);
  ASSERT_FALSE(recorded().reports.empty());
  for (auto& r : recorded().reports) {
    EXPECT_EQ(r.token.hi, 1u);
    EXPECT_EQ(r.token.lo, 1u);
  }
}

TEST_F(Agent, ShowsItsNodeKeyWhenItRegisters) {
  agent_options opts{"a1"};
  opts.node_key = credential{"node-key-0123456789abcdef"};
  spawn(opts);
  ASSERT_EQ(recorded().registrations.size(), 1u);
  EXPECT_EQ(recorded().registrations[0].node_key.secret, "node-key-0123456789abcdef");
  EXPECT_TRUE(recorded().registrations[0].token.empty()); // a new life
}

TEST_F(Agent, LogsToALoggerSetAfterItStarted) {
  auto a = spawn(); // it logged its registration with the logger it had
  auto before = vigil::log();
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(8);
  auto mine = std::make_shared<spdlog::logger>("vigil", sink);
  mine->set_level(spdlog::level::debug);
  set_log(mine);
  ASSERT_FALSE(quota(a, quota_reason::billing));
  set_log(before);
  auto lines = sink->last_formatted();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("agent a1: idle -> exhausted"), std::string::npos)
      << lines[0];
}
