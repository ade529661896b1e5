// Subscribing to a supervisor's ordered event stream (DESIGN §3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "vigil/messages/agent_status.hpp"
#include "vigil/messages/event.hpp"

namespace vigil {

/// Which events a subscriber wants. Each list that is not empty must contain the
/// event's value; empty lists match everything. `states` matches the state an event
/// leaves the agent in (`to`).
struct subscription_filter {
  std::vector<std::string> agents;
  std::vector<std::string> types;
  std::vector<agent_state> states;
  std::vector<event_kind> kinds;
};

/// @relates subscription_filter
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription_filter& x) {
  return f(caf::meta::type_name("vigil.subscription_filter"), x.agents, x.types,
           x.states, x.kinds);
}

/// Whether `e` passes `filter`.
/// @relates subscription_filter
bool matches(const subscription_filter& filter, const event& e);

/// Whether an agent's current record passes `filter` (for snapshots).
/// @relates subscription_filter
bool matches(const subscription_filter& filter, const agent_status& x);

/// Sent by the subscribing actor (the sender is the subscriber). Without `from_seq` the
/// reply holds a snapshot; with it, the stream goes on after `from_seq` when it can do
/// so without a gap, else the reply says how many were `missed` and holds a snapshot.
///
/// Seqs alone do not name an event across a crash: a supervisor that restarts from its
/// store numbers on after the last *committed* event, so a subscriber may have seen
/// other events under the same seqs. `epoch` (from the snapshot or the batches that
/// brought `from_seq`) tells which start numbered them (DESIGN §14).
struct subscription_request {
  subscription_filter filter;
  caf::optional<uint64_t> from_seq; ///< Resume after this seq.
  uint64_t epoch = 0;               ///< The epoch of `from_seq`; 0: not known.
  /// False: snapshots (the answer and any resync) carry no agents, only where the
  /// stream starts over (`seq`) and what was `missed`. For a subscriber that keeps no
  /// model of the fleet (the dashboard asks for pages of it), so that a resync of a
  /// million agents costs the supervisor nothing.
  bool with_agents = true;
};

/// @relates subscription_request
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription_request& x) {
  return f(caf::meta::type_name("vigil.subscription_request"), x.filter, x.from_seq,
           x.epoch, x.with_agents);
}

/// The answer to subscribing, and the message that resyncs a subscriber that fell
/// behind the history: the matching agents as of `seq` (every event up to `seq` is
/// reflected, none after it) and how many events the subscriber missed.
struct snapshot {
  uint64_t epoch = 0;  ///< The supervisor's start that numbers this stream.
  uint64_t seq = 0;    ///< The last event the snapshot reflects.
  uint64_t missed = 0; ///< Events lost to this subscriber (history overrun).
  /// True: the stream starts over at `seq` (a new subscription or a resync), and
  /// `agents` is the picture as of `seq` (none when asked `with_agents = false`).
  /// False when resuming from a seq without a gap: `agents` is then empty.
  bool complete = true;
  std::vector<agent_status> agents;
};

/// @relates snapshot
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, snapshot& x) {
  return f(caf::meta::type_name("vigil.snapshot"), x.epoch, x.seq, x.missed, x.complete,
           x.agents);
}

/// Events for one subscriber, in seq order. Acknowledge with `(ack_atom, last_seq)`:
/// the supervisor keeps at most `subscriber_window` unacknowledged events in flight.
struct event_batch {
  uint64_t epoch = 0; ///< The supervisor's start that numbered these events.
  std::vector<event> events;
};

/// @relates event_batch
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_batch& x) {
  return f(caf::meta::type_name("vigil.event_batch"), x.epoch, x.events);
}

} // namespace vigil
