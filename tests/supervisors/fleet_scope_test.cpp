// `fleet_scope` and the supervisor's orderly stop, in real time (a stop waits for
// actors to end; it runs no timer): everything ends, in order, and the last events
// reach subscribers.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include "vigil/actors/agent.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/supervisors/fleet_scope.hpp"
#include "vigil/supervisors/subscriber.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

struct config : caf::actor_system_config {
  config() {
    register_types(*this);
    set("scheduler.max-threads", 2);
  }
};

/// Events a subscriber saw, from its own thread.
struct seen {
  std::mutex mtx;
  std::vector<event> events;
  std::vector<caf::error> ends;
};

class FleetScope : public ::testing::Test {
public:
  /// Whether `x` has ended (monitoring an ended actor answers at once).
  bool gone(const caf::actor& x) {
    caf::scoped_actor self{sys};
    self->monitor(x);
    bool down = false;
    self->receive([&](caf::down_msg&) { down = true; }, caf::after(0s) >> [] {});
    return down;
  }

  /// Waits (bounded) until the agent's view says `state`.
  void await_state(const agent_actor& a, agent_state state) {
    caf::scoped_actor self{sys};
    for (int i = 0; i < 500; ++i) {
      agent_state now = agent_state::spawning;
      self->request(a, 1s, get_atom::value)
          .receive([&](agent_view& v) { now = v.state; }, [](caf::error&) {});
      if (now == state)
        return;
      self->receive(caf::after(10ms) >> [] {});
    }
    FAIL() << "agent never reached " << to_string(state);
  }

  config cfg;
  caf::actor_system sys{cfg};
};

caf::behavior idle_worker(caf::event_based_actor*) {
  return {[](work_atom, slot_kind, std::string&) {
  }};
}

TEST_F(FleetScope, StopEndsAgentsWorkersSubscriberAndSupervisorInOrder) {
  auto out = std::make_shared<seen>();
  std::vector<caf::actor> actors;
  std::vector<caf::actor> workers;
  {
    fleet_scope fleet{sys, 20s};
    auto sup = fleet.add(spawn_supervisor(sys));
    ASSERT_TRUE(sup);
    subscriber_handlers h;
    h.on_event = [out](const event& e) {
      std::lock_guard<std::mutex> guard{out->mtx};
      out->events.push_back(e);
    };
    h.on_end = [out](const caf::error& err) {
      std::lock_guard<std::mutex> guard{out->mtx};
      out->ends.push_back(err);
    };
    auto sub = fleet.add(spawn_subscriber(sys, *sup, subscription_request{}, h));
    std::vector<agent_actor> agents;
    for (int i = 1; i <= 3; ++i) {
      agent_options opts{"a" + std::to_string(i), "coder"};
      opts.worker = sys.spawn(idle_worker);
      workers.push_back(opts.worker);
      auto a = fleet.add(spawn_agent(sys, *sup, opts));
      ASSERT_TRUE(a);
      agents.push_back(*a);
    }
    for (auto& a : agents)
      await_state(a, agent_state::idle);
    actors = {caf::actor_cast<caf::actor>(*sup), sub};
    for (auto& a : agents)
      actors.push_back(caf::actor_cast<caf::actor>(a));
    EXPECT_EQ(fleet.stop(), caf::none);
    EXPECT_EQ(fleet.size(), 0u);
  }
  for (auto& x : actors)
    EXPECT_TRUE(gone(x)) << to_string(x);
  // Each worker got its agent's exit as the agent ended.
  caf::scoped_actor waiter{sys};
  for (auto& w : workers)
    waiter->monitor(w);
  size_t ended = 0;
  bool late = false;
  while (ended < workers.size() && !late)
    waiter->receive([&](caf::down_msg&) { ++ended; },
                    caf::after(10s) >> [&] { late = true; });
  EXPECT_EQ(ended, workers.size());
  std::lock_guard<std::mutex> guard{out->mtx};
  size_t shutdowns = 0;
  for (auto& e : out->events)
    if (e.kind == event_kind::transition && e.to == agent_state::killed) {
      EXPECT_EQ(e.reason, "node_shutdown") << e.agent;
      ++shutdowns;
    }
  EXPECT_EQ(shutdowns, 3u) << "every agent's end reached the subscriber";
  ASSERT_EQ(out->ends.size(), 1u); // then the supervisor's end
  EXPECT_EQ(out->ends[0], caf::exit_reason::user_shutdown);
}

TEST_F(FleetScope, AgentsOfASupervisorItDoesNotHoldEndWithNodeShutdown) {
  // As on an agent node: the supervisor is elsewhere, the scope holds the agents.
  auto sup = spawn_supervisor(sys);
  ASSERT_TRUE(sup);
  caf::actor agent;
  {
    fleet_scope fleet{sys, 20s, "node-a"};
    auto a = fleet.add(spawn_agent(sys, *sup, agent_options{"a1", "coder", "node-a"}));
    ASSERT_TRUE(a);
    await_state(*a, agent_state::idle);
    agent = caf::actor_cast<caf::actor>(*a);
    caf::scoped_actor self{sys};
    self->monitor(agent);
    EXPECT_EQ(fleet.stop(), caf::none);
    caf::error reason;
    self->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                  caf::after(10s) >> [] {});
    EXPECT_EQ(sys.render(reason), "vigil::node_shutdown: node node-a shuts down");
  }
  caf::scoped_actor self{sys};
  agent_status st;
  for (int i = 0; i < 500 && st.state != agent_state::killed; ++i) {
    self->request(*sup, 1s, status_atom::value, std::string{"a1"})
        .receive([&](agent_status& x) { st = x; }, [](caf::error&) {});
    if (st.state != agent_state::killed)
      self->receive(caf::after(10ms) >> [] {});
  }
  EXPECT_EQ(st.state, agent_state::killed);
  EXPECT_EQ(st.reason, "node_shutdown");
  caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
}

TEST_F(FleetScope, DestructorStopsWhatItHolds) {
  caf::actor sup_handle;
  {
    fleet_scope fleet{sys};
    auto sup = fleet.add(spawn_supervisor(sys));
    ASSERT_TRUE(sup);
    sup_handle = caf::actor_cast<caf::actor>(*sup);
  }
  EXPECT_TRUE(gone(sup_handle));
}

TEST_F(FleetScope, EndedActorsAreDroppedSoChurnDoesNotGrowIt) {
  fleet_scope fleet{sys};
  caf::scoped_actor self{sys};
  for (int i = 0; i < 1000; ++i) {
    auto x = fleet.add(sys.spawn([](caf::event_based_actor* s) {
      s->quit();
      return caf::behavior{};
    }));
    self->monitor(x);
    self->receive([](caf::down_msg&) {});
  }
  EXPECT_LT(fleet.size(), 130u);
  EXPECT_EQ(fleet.stop(), caf::none);
}

TEST_F(FleetScope, AnActorThatDoesNotEndIsNamedAfterTheTimeout) {
  fleet_scope fleet{sys, 200ms};
  // Traps exits: the scope's exit message does not end it.
  auto stubborn = fleet.add(sys.spawn([](caf::event_based_actor* s) {
    s->set_exit_handler([](caf::exit_msg&) {});
    return caf::behavior{[](int) {
    }};
  }));
  auto err = fleet.stop();
  ASSERT_TRUE(err);
  EXPECT_NE(
      sys.render(err).find("1 actors had not ended after 200ms (1 other actors) and "
                           "were killed"),
      std::string::npos)
      << sys.render(err);
  EXPECT_TRUE(gone(stubborn)) << "a kill cannot be refused";
}

TEST_F(FleetScope, ARegistrationWhileStoppingIsRefused) {
  // Whatever registers after the stop began would outlive the supervisor.
  auto sup = spawn_supervisor(sys);
  ASSERT_TRUE(sup);
  // An agent actor that does not end at once holds the stop open.
  auto stubborn = sys.spawn([](caf::event_based_actor* s) {
    s->set_exit_handler([](caf::exit_msg&) {});
    return caf::behavior{[](int) {
    }};
  });
  caf::scoped_actor self{sys};
  registration first;
  first.id = "stubborn";
  self->request(*sup, 10s, first, stubborn)
      .receive([](registration_ack&) {},
               [](caf::error& err) { FAIL() << to_string(err); });
  auto stop = self->request(*sup, 10s, stop_atom::value);
  registration late;
  late.id = "late";
  caf::error refused;
  self->request(*sup, 10s, late)
      .receive([](registration_ack&) {}, [&](caf::error& err) { refused = err; });
  // Answered as by a supervisor that is gone: an agent keeps its state for the next.
  EXPECT_EQ(refused, caf::sec::request_receiver_down) << sys.render(refused);
  auto agent = spawn_agent(sys, *sup, agent_options{"latecomer"});
  ASSERT_TRUE(agent);
  for (int i = 0; i < 50; ++i) // bounded: its registration's answer has come
    self->receive(caf::after(10ms) >> [] {});
  agent_state kept = agent_state::failed;
  self->request(*agent, 5s, get_atom::value)
      .receive([&](agent_view& v) { kept = v.state; },
               [](caf::error& err) { FAIL() << to_string(err); });
  EXPECT_EQ(kept, agent_state::spawning) << "a stopping supervisor ended the agent";
  caf::anon_send_exit(*agent, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(stubborn, caf::exit_reason::kill);
  stop.receive([](supervisor_stats&) {},
               [](caf::error& err) { FAIL() << to_string(err); });
}

} // namespace
