// The event a supervisor broadcasts for every transition and missed heartbeat.
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/credentials.hpp"
#include "vigil/messages/event_kind.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// One entry of a supervisor's ordered event stream (DESIGN §3). `seq` rises by one per
/// event supervisor-wide; `version` is the agent record's version after the event.
struct event {
  uint64_t seq = 0;
  event_kind kind = event_kind::transition;
  std::string agent;
  std::string type;
  std::string node;
  agent_state from = agent_state::spawning;
  agent_state to = agent_state::spawning;
  std::string reason;
  time_point at; ///< On the supervisor's clock.
  uint64_t version = 0;
  uint32_t missed = 0;                   ///< heartbeat_missed: the count so far.
  caf::optional<time_point> recovery_at; ///< Entering exhausted: when it ends.
  std::string error;                     ///< Entering failed: the error text.
  duration waited{0}; ///< Watchdog events: waiting-on-child time so far.
  /// Watchdog events: the evidence summary. Restart events and the `registered`
  /// event of a restarted life: the reason of the end that caused the restart.
  std::string details;
  /// Restart events, and the `registered` event of a restarted life (reason
  /// `restarted`): the attempt (1 for the first restart in a row).
  uint32_t attempt = 0;
  /// The same events: the id's restarts over all its lives (with this one, for the
  /// `registered` event of a restarted life).
  uint32_t restarts = 0;
  duration delay{0};             ///< restart_scheduled: the pause before it.
  caf::optional<time_point> due; ///< restart_scheduled: when it is due.
  /// For the store only, on `registered` events: the digests of the life's token and
  /// of its node's key (DESIGN §11). Never serialized, so never sent to a peer or a
  /// subscriber in another process, and not part of `==`.
  secret_digest token_digest;
  secret_digest node_key_digest;
};

/// @relates event
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("vigil.event"), x.seq, x.kind, x.agent, x.type, x.node,
           x.from, x.to, x.reason, x.at, x.version, x.missed, x.recovery_at, x.error,
           x.waited, x.details, x.attempt, x.restarts, x.delay, x.due);
}

/// Field-wise equality (tests and JSON round trips).
/// @relates event
bool operator==(const event& x, const event& y);

/// @relates event
inline bool operator!=(const event& x, const event& y) {
  return !(x == y);
}

} // namespace vigil
