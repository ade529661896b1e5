// What an agent tells its supervisor: registration, heartbeats, transition reports.
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// An agent introduces itself. Sent as a request at start (state `spawning`) and again
/// after a lost connection, with the state and version it kept.
struct registration {
  std::string id;
  std::string type = "default";
  std::string node = "local";
  agent_state state = agent_state::spawning;
  uint64_t version = 0;
};

/// @relates registration
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registration& x) {
  return f(caf::meta::type_name("vigil.registration"), x.id, x.type, x.node, x.state,
           x.version);
}

/// "Still here": sent every `heartbeat.interval`. Carries no timestamp: the supervisor
/// reads its own clock on arrival.
struct heartbeat {
  std::string id;
  agent_state state = agent_state::idle;
  uint64_t version = 0;
};

/// @relates heartbeat
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, heartbeat& x) {
  return f(caf::meta::type_name("vigil.heartbeat"), x.id, x.state, x.version);
}

/// A transition the agent decided. `version` is the agent's version after it.
struct transition_report {
  std::string id;
  agent_state from = agent_state::spawning;
  agent_state to = agent_state::spawning;
  uint64_t version = 0;
  std::string reason; ///< e.g. "rate_limit", "slot:work", "finished".
  std::string error;  ///< The error text of a `failed` end.
  /// Time left until recovery when entering `exhausted`. A span, not an instant:
  /// steady clocks of two hosts do not compare.
  caf::optional<duration> recovery_in;
};

/// @relates transition_report
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transition_report& x) {
  return f(caf::meta::type_name("vigil.transition_report"), x.id, x.from, x.to,
           x.version, x.reason, x.error, x.recovery_in);
}

} // namespace vigil
