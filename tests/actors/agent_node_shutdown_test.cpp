// An agent its node ends in order (`node_shutdown_reason`), and one whose registration
// is refused because a newer life of its id started (`errc::superseded`): both end
// without reporting anything more, and the second never retries.
#include <string>

#include <caf/send.hpp>

#include "agent_fixture.hpp"
#include "attached_fixture.hpp"
#include "vigil/messages/node_shutdown.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using namespace vigil::test;

TEST_F(Agent, ANodeShutdownExitEndsItWithThatReasonAndNoReport) {
  agent_options opts{"a1", "coder", "n1"};
  auto w = track(sys.spawn(worker));
  opts.worker = w;
  auto a = spawn(opts);
  auto reports = recorded().reports.size();
  auto seen_agent = watch(a);
  auto seen_worker = track(sys.spawn(watcher, w));
  sched.run();
  caf::scoped_actor node{sys};
  node->send_exit(a, node_shutdown_reason("n1"));
  sched.run();
  auto& end = state_of<watcher_state>(seen_agent);
  ASSERT_TRUE(end.down);
  EXPECT_TRUE(is_node_shutdown(end.reason)) << sys.render(end.reason);
  // Nothing more: the supervisor learns it from its down message.
  EXPECT_EQ(recorded().reports.size(), reports);
  // The worker it owned ended with it, as at any end.
  EXPECT_TRUE(state_of<watcher_state>(seen_worker).down);
}

TEST_F(Agent, ASupersededRegistrationEndsItFailedWithoutRetrying) {
  recorded().refuse_registrations = make_error(errc::superseded, std::string{"a1"});
  auto x = spawn_agent(sys, sup, agent_options{"a1"});
  ASSERT_TRUE(x);
  auto a = track(*x);
  auto w = watch(a);
  sched.run();
  auto& seen = state_of<watcher_state>(w);
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(code_of(seen.reason), errc::agent_failed);
  EXPECT_NE(sys.render(seen.reason).find("registration refused: vigil::superseded"),
            std::string::npos)
      << sys.render(seen.reason);
  EXPECT_EQ(recorded().registrations.size(), 1u);
  EXPECT_TRUE(transitions().empty()); // not ours to report to that supervisor
}

TEST_F(Agent, AnOlderLifeRefusedAsSupersededAfterAReconnectEndsWithoutRetrying) {
  auto a = spawn(agent_options{"a1", "coder", "n1"});
  ASSERT_EQ(view(a).state, s::idle);
  auto w = watch(a);
  // The partition healed: a newer life took the id meanwhile.
  auto other = track(vigil::test::spawn_recording_supervisor(sys));
  sched.run();
  state_of<recording_supervisor_state>(other).refuse_registrations =
      make_error(errc::superseded, std::string{"a1"});
  caf::scoped_actor uplink{sys}; // a local sender, as a node's uplink is
  uplink->send(a, supervisor_atom::value, other);
  sched.run();
  auto& seen = state_of<watcher_state>(w);
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(code_of(seen.reason), errc::agent_failed);
  auto& there = state_of<recording_supervisor_state>(other);
  // It showed its token once (a duplicate or unauthorized answer would be retried
  // with it); superseded is final.
  ASSERT_EQ(there.registrations.size(), 1u);
  EXPECT_FALSE(there.registrations[0].token.empty());
  EXPECT_TRUE(there.reports.empty());
  advance(60s);
  EXPECT_EQ(there.registrations.size(), 1u);
  EXPECT_TRUE(there.beats.empty());
}

using AttachedNodeShutdown = attached_fixture;

TEST_P(AttachedNodeShutdown, IsRecordedKilledNodeShutdownByTheSupervisor) {
  auto c = collector();
  auto u = user("u1");
  ASSERT_EQ(status("u1").state, agent_state::idle);
  caf::scoped_actor node{sys};
  node->send_exit(u, node_shutdown_reason("n1"));
  sched.run();
  EXPECT_EQ(status("u1").state, agent_state::killed);
  std::string reason;
  for (auto& e : events_of(c))
    if (e.agent == "u1" && e.kind == event_kind::transition &&
        e.to == agent_state::killed)
      reason = e.reason;
  EXPECT_EQ(reason, "node_shutdown");
  EXPECT_EQ(entered(c, "u1", agent_state::failed).size(), 0u);
}

TEST_P(AttachedNodeShutdown, ASupersededRegistrationEndsTheActorWithoutRetrying) {
  auto rec = track(vigil::test::spawn_recording_supervisor(sys));
  sched.run();
  state_of<recording_supervisor_state>(rec).refuse_registrations =
      make_error(errc::superseded, std::string{"u2"});
  auto u = track(sys.spawn(user_actor, rec, agent_options{"u2", "worker", "n1"}));
  auto w = track(sys.spawn(watcher, u));
  sched.run();
  auto& seen = state_of<watcher_state>(w);
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(code_of(seen.reason), errc::agent_failed);
  EXPECT_NE(sys.render(seen.reason).find("superseded"), std::string::npos)
      << sys.render(seen.reason);
  EXPECT_EQ(state_of<recording_supervisor_state>(rec).registrations.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(OwnTimerAndPacer, AttachedNodeShutdown,
                         ::testing::Values(false, true));
