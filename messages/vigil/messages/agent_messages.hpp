// What an agent tells its supervisor: registration, heartbeats, transition reports.
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/child_evidence.hpp"
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

/// "The work produced output": coalesced by the agent, so one report may stand for
/// many. `since` is how long ago the latest output was when the report left (a span,
/// not an instant: clocks of two hosts do not compare).
struct activity_report {
  std::string id;
  duration since{0};
};

/// @relates activity_report
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, activity_report& x) {
  return f(caf::meta::type_name("vigil.activity_report"), x.id, x.since);
}

/// "The work waits on child processes": how many, how alive they look, and optional
/// counters that explain a `suspected_frozen` verdict. `children == 0` means the last
/// one exited.
struct child_report {
  std::string id;
  uint32_t children = 0;
  child_evidence evidence = child_evidence::fresh_progress;
  caf::optional<uint64_t> workspace_events; ///< File events since the last report.
  caf::optional<duration> oldest_child_age;
  caf::optional<uint32_t> scoped_children_active; ///< Children in the task's scope.
  caf::optional<uint32_t> scoped_children;
  caf::optional<uint64_t>
      terminal_child_events; ///< Lifecycle events only (start/exit).
};

/// @relates child_report
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_report& x) {
  return f(caf::meta::type_name("vigil.child_report"), x.id, x.children, x.evidence,
           x.workspace_events, x.oldest_child_age, x.scoped_children_active,
           x.scoped_children, x.terminal_child_events);
}

} // namespace vigil
