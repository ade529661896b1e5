// The fleet record: registration, ownership, the table, queries, commands, death and
// retention (DESIGN §3), in virtual time.
#include <chrono>

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/system_messages.hpp>

#include "support/supervisor_fixture.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SupervisorRecord : public vigil::test::supervisor_fixture {
public:
  SupervisorRecord() {
    supervisor_settings cfg;
    cfg.retention = 3min; // not the default: the setting is what counts
    start(cfg);
  }
};

} // namespace

TEST_F(SupervisorRecord, RegistrationRecordsTheAgent) {
  auto t0 = now();
  auto p = puppet();
  reg(p, "a1", "coder");
  EXPECT_FALSE(last_reply(p));
  auto st = status("a1");
  EXPECT_EQ(st.id, "a1");
  EXPECT_EQ(st.type, "coder");
  EXPECT_EQ(st.node, "n1");
  EXPECT_EQ(st.state, s::spawning);
  EXPECT_EQ(st.registered_at, t0);
  EXPECT_EQ(st.last_beat, t0);
  EXPECT_FALSE(st.started_at);
  advance(3s);
  report(p, "a1", s::spawning, s::idle);
  st = status("a1");
  EXPECT_EQ(st.state, s::idle);
  EXPECT_EQ(st.version, 1u);
  ASSERT_TRUE(st.started_at);
  EXPECT_EQ(*st.started_at, t0 + 3s);
  EXPECT_TRUE(st.healthy);
  EXPECT_DOUBLE_EQ(st.seconds_since_beat, 0.0);
}

TEST_F(SupervisorRecord, SameIdFromAnotherLiveActorIsRefused) {
  auto p1 = idle_agent("a1");
  auto p2 = puppet();
  reg(p2, "a1");
  EXPECT_EQ(code_of(last_reply(p2)), errc::duplicate_agent);
  EXPECT_EQ(sys.render(last_reply(p2)),
            "vigil::duplicate_agent: agent \"a1\" is already "
            "registered by another live actor");
  EXPECT_EQ(status("a1").state, s::idle);
}

TEST_F(SupervisorRecord, BeatsAndReportsWithoutTheLifesProofAreRefused) {
  auto p1 = idle_agent("a1");
  auto before = status("a1");
  auto intruder = puppet();
  advance(5s);
  // Guessed proofs, from another actor and from the owner's own actor alike: the
  // proof counts, not the sender (CAF 0.17 lets a peer forge senders).
  for (auto& who : {intruder, p1}) {
    caf::anon_send(who, heartbeat{"a1", ack_of("a1").beat_secret + 1, s::busy, 9});
    transition_report rep;
    rep.id = "a1";
    rep.token = life_token{ack_of("a1").token.hi, ack_of("a1").token.lo + 1};
    rep.from = s::idle;
    rep.to = s::busy;
    caf::anon_send(who, rep);
    rep.token = {}; // none at all
    caf::anon_send(who, rep);
    sched.run();
    EXPECT_EQ(code_of(last_reply(who)), errc::unauthorized);
  }
  auto after = status("a1");
  EXPECT_EQ(after.state, s::idle);
  EXPECT_EQ(after.version, before.version);
  EXPECT_EQ(after.last_beat, before.last_beat); // the intruder's beat did not count
}

TEST_F(SupervisorRecord, UnknownIdsAnswerUnknownAgent) {
  EXPECT_EQ(sys.render(status_error("ghost")),
            "vigil::unknown_agent: no agent \"ghost\"");
  EXPECT_EQ(code_of(tell(sup, kill_atom::value, std::string{"ghost"})),
            errc::unknown_agent);
  EXPECT_EQ(code_of(tell(sup, pause_atom::value, std::string{"ghost"})),
            errc::unknown_agent);
  EXPECT_EQ(code_of(tell(sup, resume_atom::value, std::string{"ghost"})),
            errc::unknown_agent);
  auto p = puppet();
  report(p, "ghost", s::idle, s::busy);
  EXPECT_EQ(code_of(last_reply(p)), errc::unknown_agent);
}

TEST_F(SupervisorRecord, InvalidTransitionsAreRefusedAndChangeNothing) {
  auto c = collector();
  auto p = idle_agent("a1");
  auto before = status("a1");
  auto events_before = events_of(c).size();
  report(p, "a1", s::idle, s::spawning);
  EXPECT_EQ(sys.render(last_reply(p)),
            "vigil::invalid_transition: agent \"a1\" cannot go from idle to spawning "
            "(allowed from idle: busy, on_call, exhausted, offline, completed, failed, "
            "killed)");
  report(p, "a1", s::idle, s::idle);
  EXPECT_EQ(code_of(last_reply(p)), errc::invalid_transition);
  auto after = status("a1");
  EXPECT_EQ(after.state, before.state);
  EXPECT_EQ(after.version, before.version);
  EXPECT_EQ(events_of(c).size(), events_before);
}

TEST_F(SupervisorRecord, CrashEndsFailedWithTheErrorText) {
  auto p = idle_agent("a1");
  caf::anon_send(p, fail_atom::value, std::string{"out of memory in tool"});
  sched.run();
  auto st = status("a1");
  EXPECT_EQ(st.state, s::failed);
  EXPECT_NE(st.last_error.find("out of memory in tool"), std::string::npos)
      << st.last_error;
  EXPECT_TRUE(st.ended_at);
}

TEST_F(SupervisorRecord, QuitWithoutReportingEndsFailed) {
  auto p = idle_agent("a1");
  caf::anon_send(p, complete_atom::value);
  sched.run();
  auto st = status("a1");
  EXPECT_EQ(st.state, s::failed);
  EXPECT_EQ(st.last_error, "the actor quit without reporting its end");
}

TEST_F(SupervisorRecord, ShutdownExitEndsKilled) {
  auto p = idle_agent("a1");
  caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  sched.run();
  EXPECT_EQ(status("a1").state, s::killed);
}

TEST_F(SupervisorRecord, KillCommandEndsKilledAndStopsTheActor) {
  auto t0 = now();
  auto x = spawn_agent(sys, sup, agent_options{"a1"});
  ASSERT_TRUE(x);
  auto a = track(*x);
  sched.run();
  ASSERT_EQ(status("a1").state, s::idle);
  ASSERT_FALSE(tell(sup, kill_atom::value, std::string{"a1"}));
  auto st = status("a1");
  EXPECT_EQ(st.state, s::killed);
  EXPECT_EQ(st.reason, "kill_command");
  EXPECT_FALSE(ask<agent_view>(a, get_atom::value)); // the actor is gone
  EXPECT_EQ(code_of(tell(sup, kill_atom::value, std::string{"a1"})),
            errc::invalid_transition);
  // Retention: kept 3 minutes after its end, then purged.
  advance(3min - 1ns);
  EXPECT_EQ(status("a1").state, s::killed);
  advance(1ns);
  EXPECT_EQ(code_of(status_error("a1")), errc::unknown_agent);
  EXPECT_EQ(now(), t0 + 3min);
}

TEST_F(SupervisorRecord, EndedIdMayRegisterAgainAndRetentionSparesTheNewLife) {
  auto p1 = idle_agent("a1");
  report(p1, "a1", s::idle, s::completed); // life 1 ends at version 2
  advance(1min);
  auto p2 = idle_agent("a1");
  EXPECT_FALSE(last_reply(p2));
  report(p2, "a1", s::idle, s::completed); // life 2 ends at version 2 as well
  auto t_end = now();
  advance(2min); // life 1's retention is over: life 2 must stay
  EXPECT_FALSE(status_error("a1"));
  EXPECT_EQ(status("a1").ended_at, caf::optional<time_point>{t_end});
  advance(1min);
  EXPECT_EQ(code_of(status_error("a1")), errc::unknown_agent); // its own retention
}

TEST_F(SupervisorRecord, UnreachableNodeMakesItOfflineAndItsReturnRestoresIt) {
  auto c = collector();
  auto p = idle_agent("a1");
  report(p, "a1", s::idle, s::busy);
  // What the middleman delivers when the connection to the agent's node is lost.
  caf::anon_send(caf::actor_cast<caf::actor>(sup),
                 caf::down_msg{p.address(), caf::exit_reason::remote_link_unreachable});
  sched.run();
  auto st = status("a1");
  EXPECT_EQ(st.state, s::offline);
  EXPECT_EQ(st.reason, "node_unreachable:n1");
  EXPECT_TRUE(st.last_error.empty()); // not a failure
  // The node is back: the same actor registers again with the state it kept (and its
  // life's token).
  reg_again(p, "a1", s::busy);
  EXPECT_FALSE(last_reply(p));
  st = status("a1");
  EXPECT_EQ(st.state, s::busy);
  EXPECT_EQ(st.reason, "re_registered");
  // Watched again: a real death is now a failure, not another offline.
  caf::anon_send(p, fail_atom::value, std::string{"segfault"});
  sched.run();
  EXPECT_EQ(status("a1").state, s::failed);
}

TEST_F(SupervisorRecord, RegistrationClaimingADecidedStateIsRefused) {
  for (auto x : {s::offline, s::completed, s::failed, s::killed}) {
    auto p = puppet();
    reg(p, "a1", "worker", x);
    EXPECT_EQ(code_of(last_reply(p)), errc::invalid_request) << to_string(x);
  }
  EXPECT_EQ(code_of(status_error("a1")), errc::unknown_agent);
}

TEST_F(SupervisorRecord, AgentsMayNotReportOffline) {
  auto p = idle_agent("a1");
  report(p, "a1", s::idle, s::offline);
  EXPECT_EQ(code_of(last_reply(p)), errc::invalid_request);
  EXPECT_EQ(status("a1").state, s::idle);
}

TEST_F(SupervisorRecord, OneActorMayOwnSeveralIds) {
  auto p = idle_agent("a1");
  reg(p, "a2");
  report(p, "a2", s::spawning, s::idle);
  caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  sched.run();
  EXPECT_EQ(status("a1").state, s::killed);
  EXPECT_EQ(status("a2").state, s::killed);
}

TEST_F(SupervisorRecord, CountsByStateRegisteredAndHealthy) {
  idle_agent("a");
  auto b = idle_agent("b");
  report(b, "b", s::idle, s::busy);
  auto c = idle_agent("c");
  report(c, "c", s::idle, s::failed);
  auto counts = ask<fleet_counts>(sup, count_atom::value);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->registered, 3u);
  EXPECT_EQ(counts->healthy, 2u);
  EXPECT_EQ(counts->by_state, (std::map<agent_state, uint64_t>{
                                  {s::idle, 1}, {s::busy, 1}, {s::failed, 1}}));
  auto all = ask<std::vector<agent_status>>(sup, status_atom::value);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
}

TEST_F(SupervisorRecord, RealAgentsRegisterBeatAndReport) {
  agent_options opts{"coder-1", "coder"};
  opts.settings.heartbeat_interval = 10s;
  auto x = spawn_agent(sys, sup, opts);
  ASSERT_TRUE(x);
  auto a = track(*x);
  sched.run();
  EXPECT_EQ(status("coder-1").state, s::idle);
  ASSERT_TRUE(ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{}));
  EXPECT_EQ(status("coder-1").state, s::busy);
  advance(10min); // beats keep it alive far past the 30 s timeout
  auto st = status("coder-1");
  EXPECT_EQ(st.state, s::busy);
  EXPECT_EQ(st.missed, 0u);
  ASSERT_FALSE(tell(a, quota_atom::value, quota_reason::rate_limit, duration{1h}));
  st = status("coder-1");
  EXPECT_EQ(st.state, s::exhausted);
  ASSERT_TRUE(st.recovery_at);
  EXPECT_EQ(*st.recovery_at, now() + 1h);
  advance(1h);
  EXPECT_EQ(status("coder-1").state, s::idle);
  ASSERT_FALSE(tell(a, fail_atom::value, std::string{"disk full"}));
  st = status("coder-1");
  EXPECT_EQ(st.state, s::failed);
  EXPECT_EQ(st.last_error, "disk full");
  // A second real agent with a live id is refused and ends failed itself.
  auto y = spawn_agent(sys, sup, agent_options{"coder-2"});
  auto z = spawn_agent(sys, sup, agent_options{"coder-2"});
  track(*y);
  track(*z);
  sched.run();
  EXPECT_EQ(status("coder-2").state, s::idle);
  auto zv = ask<agent_view>(*z, get_atom::value);
  EXPECT_FALSE(zv); // it quit: registration refused
}

TEST_F(SupervisorRecord, AnAgentBackFromALostNodeByBeatingIsWatchedAgain) {
  auto p = idle_agent("a1");
  caf::anon_send(caf::actor_cast<caf::actor>(sup),
                 caf::down_msg{p.address(), caf::exit_reason::remote_link_unreachable});
  sched.run();
  ASSERT_EQ(status("a1").state, s::offline);
  beat(p, "a1", s::idle); // back, without registering again
  ASSERT_EQ(status("a1").state, s::idle);
  auto other = puppet();
  reg(other, "a1");
  EXPECT_EQ(code_of(last_reply(other)), errc::duplicate_agent); // it lives: not free
  caf::anon_send(p, fail_atom::value, std::string{"segfault"});
  sched.run();
  EXPECT_EQ(status("a1").state, s::failed); // its death is seen again
}

TEST_F(SupervisorRecord, ALostAgentRegisteringUnderANewHandleIsRestoredNotRenewed) {
  auto pacer = puppet();
  auto p = idle_agent("a1");
  report(p, "a1", s::idle, s::busy);
  auto key = key_of(p);
  caf::anon_send(caf::actor_cast<caf::actor>(sup),
                 caf::down_msg{p.address(), caf::exit_reason::remote_link_unreachable});
  sched.run();
  ASSERT_EQ(status("a1").state, s::offline);
  // Its pacer's batch alone does not bring it back: it has to register again.
  batch(pacer, {key}, s::busy);
  EXPECT_EQ(status("a1").state, s::offline);
  // After a reconnect the agent comes by another handle, from another node name.
  auto again = puppet();
  caf::anon_send(
      again, registration{"a1", "worker", "n2", s::busy, 2, ack_of("a1").token, {}});
  sched.run();
  EXPECT_FALSE(last_reply(again));
  EXPECT_EQ(key_of(again), key); // the same life: restored, not a new record
  auto st = status("a1");
  EXPECT_EQ(st.state, s::busy);
  EXPECT_EQ(st.reason, "re_registered");
  EXPECT_EQ(st.node, "n2");
  // Watched through the new handle: its crash is a failure now.
  caf::anon_send(again, fail_atom::value, std::string{"segfault"});
  sched.run();
  EXPECT_EQ(status("a1").state, s::failed);
}

TEST_F(SupervisorRecord, ARestartedSupervisorTakesTheStateAndVersionAgentsBringBack) {
  auto p = puppet();
  caf::anon_send(p, registration{"a1", "worker", "n1", s::exhausted, 7, {}, {}});
  sched.run();
  EXPECT_FALSE(last_reply(p));
  auto st = status("a1");
  EXPECT_EQ(st.state, s::exhausted);
  EXPECT_EQ(st.version, 7u);
}

TEST_F(SupervisorRecord, AReconnectThatRacesTheFirstRegistrationKeepsTheLife) {
  // The uplink hands the agent a supervisor again while its first registration is on
  // its way: the second one carries no token yet and is refused as a duplicate, but
  // the first answer gave the agent its life, and it registers again as that life.
  auto x = spawn_agent(sys, sup, agent_options{"a1"});
  ASSERT_TRUE(x);
  auto a = track(*x);
  caf::scoped_actor uplink{sys}; // a local sender, as a node's uplink is
  uplink->send(a, supervisor_atom::value, agent_facing_supervisor{sup});
  sched.run();
  EXPECT_EQ(status("a1").state, s::idle);
  auto view = ask<agent_view>(a, get_atom::value);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->state, s::idle);
}
