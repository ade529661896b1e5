// A supervisor's account of itself: how big its record, stream and backlog are.
#pragma once

#include <cstdint>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "vigil/messages/time.hpp"

namespace vigil {

/// What a supervisor holds right now; every figure is bounded by its settings or by
/// the fleet (DESIGN §3: memory never grows because a subscriber is slow).
struct supervisor_stats {
  uint64_t agents = 0; ///< Records, ended ones in retention included.
  uint64_t subscribers = 0;
  uint64_t epoch = 0;           ///< This start (see `subscription_request::epoch`).
  uint64_t last_seq = 0;        ///< The newest event.
  uint64_t history = 0;         ///< Events kept for replay (at most `history`).
  uint64_t max_in_flight = 0;   ///< Worst subscriber backlog (at most the window).
  uint64_t liveness_timers = 0; ///< Pending liveness deadlines (at most one per agent).
  /// Agents declared offline for want of a beat, since the start (a count that no
  /// slow subscriber can lose; each is also an event).
  uint64_t heartbeat_timeouts = 0;
  // The durable record (DESIGN §10), all zero without a store.
  uint64_t store_accepted = 0;      ///< Events handed to the store writer.
  uint64_t store_committed = 0;     ///< Of those, committed.
  uint64_t store_committed_seq = 0; ///< The newest committed event.
  uint64_t store_pending = 0;       ///< Handed over, not committed yet.
  /// Lost to the store's `buffer` bound (the supervisor's and the writer's together).
  uint64_t store_dropped = 0;
  uint64_t store_repairs = 0; ///< Agents-table repairs after drops, applied.
  /// Drops no applied repair has made good yet: the stored agents table may be behind
  /// the record until a repair follows (once the store has caught up).
  uint64_t store_unrepaired = 0;
  bool store_failing = false; ///< The store fails right now; retrying.
  duration store_max_lag{0};  ///< Worst time from an event to its commit.
  // Local health (DESIGN §14): lateness the nodes report, and the supervisor's own.
  /// Nodes whose pacers report their beats late by more than `heartbeat.lag_grace`.
  uint64_t overloaded_nodes = 0;
  duration worst_node_lateness{0}; ///< The latest report of the latest node.
  duration peak_node_lateness{0};  ///< The latest any node reported, since the start.
  /// How late the supervisor's own liveness timer ran last (its self-lag).
  duration self_lag{0};
  duration peak_self_lag{0}; ///< The latest it ran, since the start.
  /// Liveness checks that waited for their node's lateness, since the start.
  uint64_t deferred_checks = 0;
  // Restarts (DESIGN §12), since the start.
  uint64_t restarts = 0;           ///< Made: a new life registered for them.
  uint64_t restarts_scheduled = 0; ///< Decided (`restart_scheduled` events).
  uint64_t restarts_given_up = 0;  ///< Not made (`restart_gave_up` events).
  uint64_t restarts_pending = 0;   ///< Scheduled and not yet made or given up (now).
  uint64_t spawners = 0;           ///< Nodes that offer to spawn agents (now).
  /// Every inter-beat gap the supervisor saw, counted in 10 ms buckets: index i holds
  /// gaps in [i * 10 ms, (i + 1) * 10 ms); the last one, 10 s and more.
  std::vector<uint64_t> beat_gaps_10ms;
};

/// @relates supervisor_stats
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_stats& x) {
  return f(caf::meta::type_name("vigil.supervisor_stats"), x.agents, x.subscribers,
           x.epoch, x.last_seq, x.history, x.max_in_flight, x.liveness_timers,
           x.heartbeat_timeouts, x.store_accepted, x.store_committed,
           x.store_committed_seq, x.store_pending, x.store_dropped, x.store_repairs,
           x.store_unrepaired, x.store_failing, x.store_max_lag, x.overloaded_nodes,
           x.worst_node_lateness, x.peak_node_lateness, x.self_lag, x.peak_self_lag,
           x.deferred_checks, x.restarts, x.restarts_scheduled, x.restarts_given_up,
           x.restarts_pending, x.spawners, x.beat_gaps_10ms);
}

} // namespace vigil
