// What an agent tells its supervisor: registration, heartbeats, transition reports.
#pragma once

#include <cstdint>
#include <string>

#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/child_evidence.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// An agent introduces itself. Sent as a request at start (state `spawning`) and again
/// after a lost connection, with the state and version it kept. The answer is a
/// `registration_ack`.
struct registration {
  std::string id;
  std::string type = "default";
  std::string node = "local";
  agent_state state = agent_state::spawning;
  uint64_t version = 0;
  /// The node's pacer, when the agent's beats travel in its batches: the one actor
  /// besides the agent whose `beat_batch` may speak for it. Null: the agent beats
  /// itself.
  caf::actor_addr pacer;
};

/// @relates registration
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registration& x) {
  return f(caf::meta::type_name("vigil.registration"), x.id, x.type, x.node, x.state,
           x.version, x.pacer);
}

/// The supervisor accepted a registration. `key` names this life of the agent in
/// `beat_batch` entries: a number, so a beat costs no string hashing. A new
/// registration (a new life, or the same agent after a lost connection) gives a key
/// that replaces the old one.
struct registration_ack {
  uint64_t key = 0;
};

/// @relates registration_ack
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registration_ack& x) {
  return f(caf::meta::type_name("vigil.registration_ack"), x.key);
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

/// One agent's answer to its pacer's tick: the agent actor itself answered, in this
/// state and version (DESIGN §4). Travels in a `beat_batch`.
struct paced_beat {
  uint64_t key = 0; ///< From the agent's `registration_ack`.
  agent_state state = agent_state::idle;
  uint64_t version = 0;
};

/// @relates paced_beat
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, paced_beat& x) {
  return f(caf::meta::type_name("vigil.paced_beat"), x.key, x.state, x.version);
}

/// The beats a node's pacer gathered in one tick: one message to the supervisor
/// instead of one per agent. Each entry means what a `heartbeat` means.
struct beat_batch {
  std::vector<paced_beat> beats;
};

/// @relates beat_batch
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, beat_batch& x) {
  return f(caf::meta::type_name("vigil.beat_batch"), x.beats);
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
