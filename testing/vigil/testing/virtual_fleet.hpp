// vigil::testing: a fleet in virtual time for your own tests (any test framework).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/expected.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

#include "vigil/actors/agent.hpp"
#include "vigil/messages/event.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::testing {

/// A supervisor and its agents on CAF's test scheduler: nothing runs until you say so,
/// and time moves only when you move it, one timer at a time, so a deadline is exact
/// to the nanosecond. Every event the supervisor broadcasts is collected in order.
///
/// ```cpp
/// vigil::testing::virtual_fleet fleet{settings};
/// auto coder = fleet.add_agent("coder-1", "coder");
/// fleet.hang("coder-1");                     // its mailbox answers nothing
/// fleet.advance(deadline - 1ns);
/// EXPECT_EQ(fleet.state_of("coder-1"), vigil::agent_state::idle);
/// fleet.advance(1ns);
/// EXPECT_EQ(fleet.state_of("coder-1"), vigil::agent_state::offline);
/// ```
///
/// Use it as a member of a test fixture, or derive from it. Not thread-safe (nothing
/// in virtual time is).
class virtual_fleet {
public:
  /// Adds settings to the actor system's config (your own message types).
  using configure_fn = std::function<void(caf::actor_system_config&)>;

  /// Spawns the supervisor with `settings` (a store in `settings.store` is written in
  /// virtual time too). Throws `std::runtime_error` naming the problem when the
  /// supervisor cannot start.
  explicit virtual_fleet(supervisor_settings settings = {},
                         configure_fn configure = {});

  /// Ends every actor it spawned.
  ~virtual_fleet();

  virtual_fleet(const virtual_fleet&) = delete;
  virtual_fleet& operator=(const virtual_fleet&) = delete;

  /// Spawns an agent with the supervisor and runs until it settled (registered and
  /// `idle`, unless the supervisor refused it). Throws for options `spawn_agent`
  /// refuses.
  agent_actor add_agent(agent_options options);

  /// The same for `id` of `type` on node "local".
  agent_actor add_agent(const std::string& id, const std::string& type = "default");

  /// The agent spawned as `id` (null if none).
  agent_actor agent(const std::string& id) const;

  /// Makes the agent `id` stuck: its actor answers nothing (no beat, no tick, no
  /// request) until `wake`. A stand-in for code that blocks the agent's thread.
  void hang(const std::string& id);

  /// Un-sticks it: it beats at once, then takes what waited.
  void wake(const std::string& id);

  /// Runs every message that is due now (no time passes).
  void run();

  /// Moves time on by `d`, firing each timer at its own instant, in order.
  void advance(duration d);

  /// Moves time to the next pending timer and fires it (and whatever it causes);
  /// returns how far time moved, or nothing when no timer is pending.
  std::optional<duration> advance_to_next_deadline();

  /// The virtual clock's now.
  time_point now();

  /// How many timers are pending.
  size_t pending_timers();

  /// The supervisor's view of `id`; `unknown_agent` if it has none.
  caf::expected<agent_status> status(const std::string& id);

  /// The supervisor's state of `id`. Throws `std::runtime_error` for an unknown id.
  agent_state state_of(const std::string& id);

  /// Every event broadcast since the start (or `clear_events`), in seq order.
  const std::vector<event>& events() const noexcept { return *events_; }

  /// Those of agent `id`.
  std::vector<event> events_of(const std::string& id) const;

  /// Those of `kind`.
  std::vector<event> events_of(event_kind kind) const;

  void clear_events() { events_->clear(); }

  /// Sends a request to `h`, runs, and returns the answer (or the error).
  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(const Handle& h, Ts&&... xs) {
    caf::scoped_actor self{sys};
    auto rh = self->request(h, caf::infinite, std::forward<Ts>(xs)...);
    run();
    caf::expected<T> result{caf::sec::bad_function_call};
    rh.receive([&](T& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  /// Sends a request answered with nothing: the error, or none.
  template <class Handle, class... Ts>
  caf::error tell(const Handle& h, Ts&&... xs) {
    caf::scoped_actor self{sys};
    auto rh = self->request(h, caf::infinite, std::forward<Ts>(xs)...);
    run();
    caf::error result;
    rh.receive([] {}, [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  /// Ends `h` when the fleet ends (for actors of your own).
  template <class Handle>
  Handle track(Handle h) {
    tracked_.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }

private:
  struct config : caf::actor_system_config {
    explicit config(const configure_fn& configure);
  };

  config cfg_;

public:
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  supervisor_actor supervisor;

private:
  std::shared_ptr<std::vector<event>> events_;
  std::map<std::string, agent_actor> agents_;
  std::vector<caf::actor> tracked_;
};

} // namespace vigil::testing
