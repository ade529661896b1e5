// What a supervisor answers about agents: one agent's status, and fleet counts.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// One agent as the supervisor's record has it (DESIGN §5). Times are on the
/// supervisor's clock.
struct agent_status {
  std::string id;
  std::string type;
  std::string node;
  agent_state state = agent_state::spawning;
  uint64_t version = 0; ///< Rises with every transition of the record.
  time_point registered_at;
  caf::optional<time_point> started_at; ///< First time running.
  caf::optional<time_point> ended_at;   ///< Terminal.
  time_point last_beat;
  double seconds_since_beat = 0; ///< At the time of the answer.
  uint32_t missed = 0;
  bool paused = false;
  bool healthy = false; ///< Running and no beat missed.
  caf::optional<time_point> recovery_at;
  std::string reason; ///< Of the last transition.
  std::string last_error;
  /// Restarts of this id over all its lives (Kubernetes' restartCount).
  uint32_t restarts = 0;
  /// The reason of the end that caused the last restart ("crashed", "lost", ...).
  std::string last_restart_reason;
  /// An ended agent with a restart pending: when it is due.
  caf::optional<time_point> restart_due;
};

/// @relates agent_status
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_status& x) {
  return f(caf::meta::type_name("vigil.agent_status"), x.id, x.type, x.node, x.state,
           x.version, x.registered_at, x.started_at, x.ended_at, x.last_beat,
           x.seconds_since_beat, x.missed, x.paused, x.healthy, x.recovery_at, x.reason,
           x.last_error, x.restarts, x.last_restart_reason, x.restart_due);
}

/// How many agents are in each state, how many are known, how many are healthy.
struct fleet_counts {
  std::map<agent_state, uint64_t> by_state; ///< Only states with agents.
  uint64_t registered = 0;                  ///< Every record, ended ones included.
  uint64_t healthy = 0;
};

/// @relates fleet_counts
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fleet_counts& x) {
  return f(caf::meta::type_name("vigil.fleet_counts"), x.by_state, x.registered,
           x.healthy);
}

} // namespace vigil
