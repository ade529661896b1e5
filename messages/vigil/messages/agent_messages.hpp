// What an agent tells its supervisor: registration, heartbeats, transition reports.
#pragma once

#include <cstdint>
#include <string>

#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/child_evidence.hpp"
#include "vigil/messages/credentials.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// An agent introduces itself. Sent as a request at start (state `spawning`) and again
/// after a lost connection, with the state and version it kept. The answer is a
/// `registration_ack`, or an error: `duplicate_agent` (the id's life is still
/// reachable), `unauthorized` (the id is taken and neither proof below is right),
/// `bad_input` (a value out of range).
///
/// An id that is taken (a live or offline record, also one a restarted supervisor
/// restored) is given back only to its own life, proved by `token`, or, once that
/// life's actor is lost, to its own node, proved by `node_key` (DESIGN §11).
struct registration {
  std::string id;
  std::string type = "default";
  std::string node = "local";
  agent_state state = agent_state::spawning;
  uint64_t version = 0;
  /// The token of this life, when it registers again; empty for a new life.
  life_token token;
  /// The node's key (`vigil-node agents --node-key FILE`): the supervisor keeps its
  /// digest the first time the node registers with one, and a node of that name must
  /// show it from then on. Empty: none.
  credential node_key;
};

/// @relates registration
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registration& x) {
  return f(caf::meta::type_name("vigil.registration"), x.id, x.type, x.node, x.state,
           x.version, x.token, x.node_key);
}

/// The supervisor accepted a registration.
struct registration_ack {
  /// Names this life in timers and in a pacer's `beat_batch` entries: a number, so a
  /// beat costs no string hashing. A new registration gives a key that replaces it.
  uint64_t key = 0;
  /// This life's token: every later message of the agent carries it.
  life_token token;
  /// Proves a pacer's beats for this life (`paced_beat::secret`): checked per beat
  /// without hashing, kept in memory only, new with every registration.
  uint64_t beat_secret = 0;
  /// How often to beat: the supervisor's interval for the agent's type, which the
  /// agent (and its pacer) adopt (DESIGN §11: one source of heartbeat settings).
  duration heartbeat_interval{0};
};

/// @relates registration_ack
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registration_ack& x) {
  if constexpr (is_printing_v<Inspector>) {
    std::string secret = redacted(x.beat_secret == 0);
    return f(caf::meta::type_name("vigil.registration_ack"), x.key, x.token, secret,
             x.heartbeat_interval);
  } else {
    return f(caf::meta::type_name("vigil.registration_ack"), x.key, x.token,
             x.beat_secret, x.heartbeat_interval);
  }
}

/// "Still here": sent every `heartbeat.interval`. Carries no timestamp: the supervisor
/// reads its own clock on arrival.
struct heartbeat {
  std::string id;
  /// The life's `beat_secret` (a beat is checked without hashing: at a million beats
  /// a second, a SHA-256 per beat would cost about a quarter of a core).
  uint64_t secret = 0;
  agent_state state = agent_state::idle;
  uint64_t version = 0;
};

/// @relates heartbeat
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, heartbeat& x) {
  if constexpr (is_printing_v<Inspector>) {
    std::string secret = redacted(x.secret == 0);
    return f(caf::meta::type_name("vigil.heartbeat"), x.id, secret, x.state, x.version);
  } else {
    return f(caf::meta::type_name("vigil.heartbeat"), x.id, x.secret, x.state,
             x.version);
  }
}

/// One agent's answer to its pacer's tick: the agent actor itself answered, in this
/// state and version (DESIGN §4). Travels in a `beat_batch`.
struct paced_beat {
  uint64_t key = 0;    ///< From the agent's `registration_ack`.
  uint64_t secret = 0; ///< Its `beat_secret`.
  agent_state state = agent_state::idle;
  uint64_t version = 0;
};

/// @relates paced_beat
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, paced_beat& x) {
  if constexpr (is_printing_v<Inspector>) {
    std::string secret = redacted(x.secret == 0);
    return f(caf::meta::type_name("vigil.paced_beat"), x.key, secret, x.state,
             x.version);
  } else {
    return f(caf::meta::type_name("vigil.paced_beat"), x.key, x.secret, x.state,
             x.version);
  }
}

/// The beats a node's pacer gathered in one tick: one message to the supervisor
/// instead of one per agent. Each entry means what a `heartbeat` means.
struct beat_batch {
  std::vector<paced_beat> beats;
  /// How late the node's beats run (DESIGN §14): the worst the pacer measured over
  /// its recent window, of how late its ticks ran and how long after its tick was due
  /// each answer came. Missing answers are no part of it. The supervisor defers its
  /// verdicts on the node's agents by it (at most `heartbeat.lateness_cap`).
  duration lateness{0};
};

/// @relates beat_batch
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, beat_batch& x) {
  return f(caf::meta::type_name("vigil.beat_batch"), x.beats, x.lateness);
}

/// A transition the agent decided. `version` is the agent's version after it.
struct transition_report {
  std::string id;
  life_token token;
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
  return f(caf::meta::type_name("vigil.transition_report"), x.id, x.token, x.from, x.to,
           x.version, x.reason, x.error, x.recovery_in);
}

/// "The work produced output": coalesced by the agent, so one report may stand for
/// many. `since` is how long ago the latest output was when the report left (a span,
/// not an instant: clocks of two hosts do not compare).
struct activity_report {
  std::string id;
  life_token token;
  duration since{0};
};

/// @relates activity_report
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, activity_report& x) {
  return f(caf::meta::type_name("vigil.activity_report"), x.id, x.token, x.since);
}

/// "The work waits on child processes": how many, how alive they look, and optional
/// counters that explain a `suspected_frozen` verdict. `children == 0` means the last
/// one exited.
struct child_report {
  std::string id;
  life_token token; ///< Filled in by the agent.
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
  return f(caf::meta::type_name("vigil.child_report"), x.id, x.token, x.children,
           x.evidence, x.workspace_events, x.oldest_child_age, x.scoped_children_active,
           x.scoped_children, x.terminal_child_events);
}

} // namespace vigil
