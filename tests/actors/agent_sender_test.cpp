// Whom an agent takes its internal messages from, vigil's agent actor and a user's
// actor attached as one alike: its timers (own beat, recovery) only from itself, a new
// supervisor only from a named actor of its own node (the node's uplink). Anyone may
// send an actor these atoms; a user's actor attached as an agent is often reachable by
// peers. And one agent per actor.
#include <memory>

#include <caf/actor_cast.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "agent_fixture.hpp"
#include "user_actor.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using namespace vigil::test;

namespace {

/// Runs each test against vigil's agent actor (false) and an attached one (true).
class AgentSender : public Agent, public ::testing::WithParamInterface<bool> {
public:
  caf::actor agent(agent_options opts = agent_options{"a1", "coder"}) {
    if (!GetParam())
      return caf::actor_cast<caf::actor>(spawn(std::move(opts)));
    auto u = track(sys.spawn(user_actor, sup, std::move(opts)));
    sched.run();
    return u;
  }

  agent_view view_of(const caf::actor& a) {
    auto v = ask<agent_view>(a, get_atom::value);
    EXPECT_TRUE(v) << sys.render(v.error());
    return v ? *v : agent_view{};
  }
};

} // namespace

TEST_P(AgentSender, AStrayBeatStartsNoSecondBeatChain) {
  recorded().interval = 2s;
  auto t0 = now();
  auto a = agent();
  for (int i = 0; i < 3; ++i)
    caf::anon_send(a, beat_atom::value);
  caf::scoped_actor local{sys};
  local->send(a, beat_atom::value); // a local sender is no better
  sched.run();
  advance(7s);
  auto& beats = recorded().beats;
  ASSERT_EQ(beats.size(), 3u); // its own timer's, and only those
  for (size_t i = 0; i < beats.size(); ++i)
    EXPECT_EQ(beats[i].first, t0 + static_cast<int>(i + 1) * 2s);
}

TEST_P(AgentSender, AForgedRecoveryDoesNotEndExhausted) {
  auto a = agent();
  ASSERT_FALSE(tell(a, quota_atom::value, quota_reason::rate_limit, duration{60s}));
  auto v = view_of(a);
  ASSERT_EQ(v.state, s::exhausted);
  ASSERT_TRUE(v.recovery_at);
  caf::anon_send(a, recover_atom::value, *v.recovery_at); // the very time it shows
  sched.run();
  EXPECT_EQ(view_of(a).state, s::exhausted);
  advance(60s); // its own timer
  EXPECT_EQ(view_of(a).state, s::idle);
}

TEST_P(AgentSender, ASupervisorHandleWithoutASenderIsIgnored) {
  auto a = agent();
  auto other = track(spawn_recording_supervisor(sys));
  sched.run();
  caf::anon_send(a, supervisor_atom::value, other);
  sched.run();
  EXPECT_TRUE(state_of<recording_supervisor_state>(other).registrations.empty());
  advance(30s); // and it beats to its own supervisor still
  EXPECT_TRUE(state_of<recording_supervisor_state>(other).beats.empty());
  EXPECT_FALSE(recorded().beats.empty());
  EXPECT_EQ(recorded().registrations.size(), 1u);
}

TEST_P(AgentSender, ASupervisorHandleFromItsOwnNodeIsTaken) {
  auto a = agent();
  auto other = track(spawn_recording_supervisor(sys));
  sched.run();
  caf::scoped_actor uplink{sys}; // a local sender, as a node's uplink is
  uplink->send(a, supervisor_atom::value, other);
  sched.run();
  EXPECT_EQ(state_of<recording_supervisor_state>(other).registrations.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(AgentAndAttached, AgentSender, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& x) {
                           return x.param ? std::string{"Attached"}
                                          : std::string{"AgentActor"};
                         });

namespace {

class AttachedAgentSender : public Agent {};

struct twice_state {
  attached_agent first;
  caf::error second; ///< What the second `attach_agent` answered.
};

caf::behavior attach_twice(caf::stateful_actor<twice_state>* self,
                           agent_facing_supervisor sup) {
  auto first = attach_agent(self, sup, agent_options{"t1"});
  if (!first) {
    self->quit(first.error());
    return {};
  }
  self->state.first = *first;
  auto second = attach_agent(self, sup, agent_options{"t2"});
  self->state.second = second ? caf::error{} : second.error();
  return self->state.first.handlers();
}

} // namespace

TEST_F(AttachedAgentSender, AUsersOwnBeatIsNotShadowedByVigils) {
  auto u = track(sys.spawn(user_actor, sup, agent_options{"u1"}));
  sched.run();
  EXPECT_EQ(ask<int>(u, user_beat_atom::value), 7);
}

TEST_F(AttachedAgentSender, ASecondAttachOnTheSameActorIsRefused) {
  auto t = track(sys.spawn(attach_twice, sup));
  sched.run();
  EXPECT_EQ(code_of(state_of<twice_state>(t).second), errc::bad_config);
  ASSERT_EQ(recorded().registrations.size(), 1u);
  EXPECT_EQ(recorded().registrations[0].id, "t1");
  EXPECT_EQ(state_of<twice_state>(t).first.state(), s::idle); // the first one works
}
