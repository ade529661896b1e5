// Stopping a process's fleet in one call (or at the end of a scope).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/actor_cast.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "vigil/messages/stop_stage.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// Owns the end of what a process runs of a fleet. Hand it every handle you spawn
/// (`add` passes a handle or a `caf::expected` through); `stop()`, or its destructor,
/// ends them in an order that loses nothing and returns once they are gone:
///
/// 1. supervisors: each ends the agent actors of this process it watches (`killed`,
///    reason `node_shutdown`), records their ends, has its store writer commit every
///    event and end, then quits (`supervisor_owner`);
/// 2. agents still running (those of a supervisor in another process) and spawners:
///    they get the exit reason `node_shutdown_reason(node)`, so that their supervisor
///    records them `killed (node_shutdown)` and restarts none of them; a spawner
///    refuses requests from then on and ends the lives it started likewise;
/// 3. pacers and uplinks;
/// 4. everything else: workers, subscribers, your own actors.
///
/// An agent ends the worker it owns (the worker gets an exit as its agent ends; `stop`
/// does not wait for it), so workers need no `add` of their own. Holds weak handles:
/// an ended actor's memory stays until its entry is dropped, and ended entries are
/// dropped as more are added (at most twice the live ones), so a long-running process
/// with churning agents does not grow. Declare it after the `caf::actor_system` it uses
/// (it must end first). Not thread-safe: add and stop from one thread.
///
/// ```cpp
/// caf::actor_system sys{cfg};
/// vigil::fleet_scope fleet{sys};
/// auto sup = fleet.add(vigil::spawn_supervisor(sys, settings));
/// auto agent = fleet.add(vigil::spawn_agent(sys, *sup, {"coder-1", "coder"}));
/// ...
/// fleet.stop(); // or leave the scope
/// ```
class fleet_scope {
public:
  /// `timeout` bounds the whole stop; `node` names this process's node in the exit
  /// reason of the agents it ends (empty: the reason names none).
  explicit fleet_scope(caf::actor_system& sys,
                       duration timeout = std::chrono::seconds(30),
                       std::string node = {});

  fleet_scope(const fleet_scope&) = delete;
  fleet_scope& operator=(const fleet_scope&) = delete;

  /// Stops what it holds, unless `stop()` did already; a problem is logged.
  ~fleet_scope();

  /// Holds `h` (any actor handle); returns it.
  template <class Handle>
  Handle add(Handle h) {
    hold(stop_stage_of<Handle>::value, caf::actor_cast<caf::actor_addr>(h));
    return h;
  }

  /// Holds the handle in `x`, if any; returns `x`.
  template <class Handle>
  caf::expected<Handle> add(caf::expected<Handle> x) {
    if (x)
      add(*x);
    return x;
  }

  /// Ends everything held, stage by stage, and returns when it is gone. An error
  /// names what had not ended within the timeout (those are then killed: a kill
  /// cannot be refused) and a supervisor that ended but not in order (its store did
  /// not get every event). Whatever is added afterwards is ended by the next call.
  caf::error stop();

  /// How many actors it holds that may still run.
  size_t size() const noexcept { return held_.size(); }

private:
  void hold(stop_stage stage, caf::actor_addr addr);

  caf::actor_system& sys_;
  duration timeout_;
  std::string node_;
  std::vector<std::pair<stop_stage, caf::actor_addr>> held_;
  size_t prune_at_ = 64;
};

} // namespace vigil
