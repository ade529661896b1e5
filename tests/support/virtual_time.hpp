// A GoogleTest fixture that runs an actor system in virtual time (CAF's
// test_coordinator).
#pragma once

#include <chrono>
#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <gtest/gtest.h>

#include "support/printers.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/messages/time.hpp"

namespace vigil::test {

struct testing_config : caf::actor_system_config {
  testing_config() {
    set("scheduler.policy", caf::atom("testing"));
    register_types(*this);
  }
};

class virtual_time : public ::testing::Test {
public:
  ~virtual_time() override {
    for (auto& a : tracked_)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
    // Pending timers keep their receivers alive; nobody runs the clock any more.
    sys.await_actors_before_shutdown(false);
  }

  /// Kills `h` when the test ends.
  template <class Handle>
  Handle track(Handle h) {
    tracked_.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }

  time_point now() { return sched.clock().now(); }

  size_t pending_timers() { return sched.clock().schedule().size(); }

  /// Advances virtual time by `d`, firing each timer at its own instant (CAF's
  /// `advance_time` alone delivers everything at the final time).
  void advance(duration d) {
    auto until = now() + d;
    auto& pending = sched.clock().schedule();
    while (!pending.empty() && pending.begin()->first <= until) {
      sched.trigger_timeout();
      sched.run();
    }
    sched.advance_time(until - now());
    sched.run();
  }

  /// Sends a request, runs the system, and returns the reply or the error.
  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(const Handle& h, Ts&&... xs) {
    caf::scoped_actor self{sys};
    auto rh = self->request(h, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    caf::expected<T> result{caf::sec::bad_function_call};
    rh.receive([&](T& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  /// Like `ask` for requests answered with no value: the error, or none.
  template <class Handle, class... Ts>
  caf::error tell(const Handle& h, Ts&&... xs) {
    caf::scoped_actor self{sys};
    auto rh = self->request(h, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    caf::error result;
    rh.receive([] {},
               [&](caf::error& err) {
                 // An empty error sent as a reply is a bug in the replier: success
                 // must arrive as an empty message.
                 result =
                     err ? std::move(err) : caf::make_error(caf::sec::invalid_argument);
               });
    return result;
  }

  /// White-box view of a stateful test actor (safe: one thread runs everything).
  template <class State, class Handle>
  State& state_of(const Handle& h) {
    auto ptr = caf::actor_cast<caf::abstract_actor*>(h);
    return dynamic_cast<caf::stateful_actor<State>&>(*ptr).state;
  }

  testing_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());

private:
  std::vector<caf::actor> tracked_;
};

} // namespace vigil::test
