// What a monitoring scrape reads (DESIGN §13): counters the supervisor keeps as the
// fleet moves, so that a scrape costs O(states x types), never a walk over the agents.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/supervisor_stats.hpp"

namespace vigil {

/// The agents of one type: how many are in each state now, how many restarts it made.
struct type_metrics {
  std::string type; ///< Empty: the types past the bound, together (label `type=""`).
  std::vector<uint64_t> agents; ///< Indexed by `agent_state` (9 entries).
  uint64_t restarts = 0;        ///< Made since the start.
};

/// @relates type_metrics
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, type_metrics& x) {
  return f(caf::meta::type_name("vigil.type_metrics"), x.type, x.agents, x.restarts);
}

/// A histogram in seconds: `counts[i]` observations at most `bounds[i]` (not
/// cumulative), the last entry for everything above the last bound.
struct seconds_histogram {
  std::vector<double> bounds;
  std::vector<uint64_t> counts; ///< `bounds.size() + 1` entries.
  double sum = 0;
};

/// @relates seconds_histogram
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, seconds_histogram& x) {
  return f(caf::meta::type_name("vigil.seconds_histogram"), x.bounds, x.counts, x.sum);
}

/// Everything `/metrics` shows, since the supervisor's start unless it says now.
/// Labels come from bounded sets only: states, event kinds, watchdog reasons, give-up
/// reasons, node states, and at most `max_metric_types` agent types (the rest count
/// as one).
struct fleet_metrics {
  supervisor_stats stats;          ///< Its own figures (store, lag, beat gaps, ...).
  std::vector<type_metrics> types; ///< By type name; the other types last, if any.
  /// Transitions from state i to state j at `i * agent_state_count + j`.
  std::vector<uint64_t> transitions;
  std::map<std::string, uint64_t> events_by_kind;    ///< Every event, by kind.
  std::map<std::string, uint64_t> watchdog_fires;    ///< By fire reason.
  std::map<std::string, uint64_t> restarts_given_up; ///< By reason.
  std::map<std::string, uint64_t> nodes;             ///< Now, by node state.
  /// How long after its exact deadline (last beat + timeout) each offline verdict came.
  seconds_histogram detection_lateness;
};

/// @relates fleet_metrics
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fleet_metrics& x) {
  return f(caf::meta::type_name("vigil.fleet_metrics"), x.stats, x.types, x.transitions,
           x.events_by_kind, x.watchdog_fires, x.restarts_given_up, x.nodes,
           x.detection_lateness);
}

/// Agent types with a label of their own; further types count together.
constexpr size_t max_metric_types = 256;

} // namespace vigil
