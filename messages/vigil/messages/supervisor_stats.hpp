// A supervisor's account of itself: how big its record, stream and backlog are.
#pragma once

#include <cstdint>

#include <caf/meta/type_name.hpp>

namespace vigil {

/// What a supervisor holds right now; every figure is bounded by its settings or by
/// the fleet (DESIGN §3: memory never grows because a subscriber is slow).
struct supervisor_stats {
  uint64_t agents = 0; ///< Records, ended ones in retention included.
  uint64_t subscribers = 0;
  uint64_t last_seq = 0;        ///< The newest event.
  uint64_t history = 0;         ///< Events kept for replay (at most `history`).
  uint64_t max_in_flight = 0;   ///< Worst subscriber backlog (at most the window).
  uint64_t liveness_timers = 0; ///< Pending liveness deadlines (at most one per agent).
};

/// @relates supervisor_stats
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_stats& x) {
  return f(caf::meta::type_name("vigil.supervisor_stats"), x.agents, x.subscribers,
           x.last_seq, x.history, x.max_in_flight, x.liveness_timers);
}

} // namespace vigil
