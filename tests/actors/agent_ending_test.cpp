// The agent actor in virtual time: how it ends, what it reports while working, and
// registering again with a new supervisor.
#include "agent_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using namespace vigil::test;

TEST_F(Agent, CompleteQuitsNormally) {
  auto a = spawn();
  auto w = watch(a);
  ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{});
  ASSERT_FALSE(tell(a, complete_atom::value));
  auto& seen = state_of<watcher_state>(w);
  ASSERT_TRUE(seen.down);
  EXPECT_FALSE(seen.reason) << sys.render(seen.reason);
  EXPECT_EQ(transitions().back(), std::make_tuple(s::busy, s::completed, uint64_t{3}));
}

TEST_F(Agent, FailQuitsWithTheErrorText) {
  auto a = spawn(agent_options{"a9"});
  auto w = watch(a);
  ASSERT_FALSE(tell(a, fail_atom::value, std::string{"segfault in tool"}));
  auto& seen = state_of<watcher_state>(w);
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(code_of(seen.reason), errc::agent_failed);
  EXPECT_EQ(sys.render(seen.reason),
            "vigil::agent_failed: agent \"a9\" failed: segfault in tool");
  EXPECT_EQ(recorded().reports.back().to, s::failed);
  EXPECT_EQ(recorded().reports.back().error, "segfault in tool");
}

TEST_F(Agent, KillQuitsWithUserShutdown) {
  auto a = spawn();
  ASSERT_FALSE(quota(a, quota_reason::billing));
  auto w = watch(a);
  ASSERT_FALSE(tell(a, kill_atom::value));
  auto& seen = state_of<watcher_state>(w);
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(seen.reason, caf::exit_reason::user_shutdown);
  auto slot = ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{});
  EXPECT_FALSE(slot); // gone: nothing answers any more
  EXPECT_EQ(transitions().back(),
            std::make_tuple(s::exhausted, s::killed, uint64_t{3}));
}

TEST_F(Agent, SpawningAgentCanBeKilled) {
  recorded().hold_registrations = true;
  auto a = spawn();
  auto w = watch(a);
  ASSERT_FALSE(tell(a, kill_atom::value));
  EXPECT_TRUE(state_of<watcher_state>(w).down);
  EXPECT_EQ(transitions(), (decltype(transitions()){{s::spawning, s::killed, 1}}));
}

TEST_F(Agent, RefusedRegistrationEndsFailed) {
  recorded().refuse_registrations =
      make_error(errc::duplicate_agent, std::string{"a1"});
  auto x = spawn_agent(sys, sup, agent_options{"a1"});
  ASSERT_TRUE(x);
  auto a = track(*x);
  auto w = watch(a);
  sched.run();
  auto& seen = state_of<watcher_state>(w);
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(code_of(seen.reason), errc::agent_failed);
  EXPECT_NE(sys.render(seen.reason).find("duplicate_agent"), std::string::npos)
      << sys.render(seen.reason);
  // The refusal says the id is not ours: nothing to report to that supervisor.
  EXPECT_TRUE(transitions().empty());
  EXPECT_EQ(pending_timers(), 0u); // it never started beating
}

TEST_F(Agent, ContinuousActivityIsCoalescedToOneReportPerInterval) {
  agent_options opts{"a1"};
  opts.settings.activity_report_interval = 1s;
  auto a = spawn(opts);
  ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{});
  auto t0 = now();
  for (int i = 1; i <= 600; ++i) { // output every 100 ms for a minute
    advance(100ms);
    caf::anon_send(a, activity_atom::value);
    sched.run();
  }
  advance(1s);
  auto& got = recorded().activity;
  ASSERT_GE(got.size(), 60u);
  EXPECT_LE(got.size(), 61u);
  EXPECT_EQ(got.front().first, t0 + 100ms); // the first goes out at once, since 0
  EXPECT_EQ(got.front().second.since, duration::zero());
  for (size_t i = 1; i < got.size(); ++i)
    EXPECT_GE(got[i].first - got[i - 1].first, duration{1s});
  // The last report says when the last output was: sent at 60.1 s, output at 60 s.
  EXPECT_EQ(got.back().first - got.back().second.since, t0 + 60s);
}

TEST_F(Agent, ChildReportsAreForwardedWithTheAgentsIdWhileWorking) {
  auto a = spawn(agent_options{"a1"});
  child_report r;
  r.children = 2;
  r.evidence = child_evidence::stale_label_only;
  EXPECT_FALSE(tell(a, r)); // idle: nobody waits on children
  EXPECT_TRUE(recorded().children.empty());
  ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{});
  EXPECT_FALSE(tell(a, r));
  ASSERT_EQ(recorded().children.size(), 1u);
  EXPECT_EQ(recorded().children[0].id, "a1");
  EXPECT_EQ(recorded().children[0].children, 2u);
  EXPECT_EQ(recorded().children[0].evidence, child_evidence::stale_label_only);
}

TEST_F(Agent, ActivityIsAcceptedInEveryLiveState) {
  auto a = spawn();
  EXPECT_FALSE(tell(a, activity_atom::value));
  ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{});
  EXPECT_FALSE(tell(a, activity_atom::value));
  EXPECT_EQ(view(a).state, s::busy);
}

TEST_F(Agent, HandedANewSupervisorItRegistersAgainWithTheStateAndVersionItKept) {
  auto a = spawn(agent_options{"a1", "coder", "n1"});
  ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{});
  ASSERT_EQ(view(a).state, s::busy);
  auto other = track(vigil::test::spawn_recording_supervisor(sys));
  sched.run();
  caf::scoped_actor uplink{sys}; // a local sender, as a node's uplink is
  uplink->send(a, supervisor_atom::value, other);
  sched.run();
  auto& seen = state_of<recording_supervisor_state>(other).registrations;
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].id, "a1");
  EXPECT_EQ(seen[0].type, "coder");
  EXPECT_EQ(seen[0].state, s::busy);
  EXPECT_EQ(seen[0].version, 2u);    // spawning -> idle -> busy
  EXPECT_EQ(view(a).state, s::busy); // nothing changed on its side
  // It beats to the new one from now on.
  advance(10s);
  EXPECT_FALSE(state_of<recording_supervisor_state>(other).beats.empty());
}

TEST_F(Agent, ARegistrationLostWithTheConnectionIsNoRefusal) {
  // What a lost route answers: not a refusal of the id. The agent keeps waiting.
  recorded().refuse_registrations = caf::make_error(caf::sec::request_receiver_down);
  auto x = spawn_agent(sys, sup, agent_options{"a1"});
  ASSERT_TRUE(x);
  auto a = track(*x);
  sched.run();
  EXPECT_EQ(view(a).state, s::spawning);
  // A new connection: it registers there and starts.
  auto other = track(vigil::test::spawn_recording_supervisor(sys));
  sched.run();
  caf::scoped_actor uplink{sys}; // a local sender, as a node's uplink is
  uplink->send(a, supervisor_atom::value, other);
  sched.run();
  EXPECT_EQ(state_of<recording_supervisor_state>(other).registrations.size(), 1u);
  EXPECT_EQ(view(a).state, s::idle);
}
