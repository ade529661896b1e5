// The counters behind `metrics_atom` (DESIGN §13): kept as the fleet moves (one array
// add per event or state change, nothing per beat), read in O(states x types).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/event.hpp"
#include "vigil/messages/fleet_metrics.hpp"
#include "vigil/messages/interned.hpp"
#include "vigil/messages/time.hpp"

namespace vigil::detail {

class metric_counters {
public:
  /// A record of `type` entered (`by` = +1) or left (-1) `state`. A type whose last
  /// record left is forgotten, unless `keep` (a new life of the id follows: its
  /// restarts counter must go on; `forget_if_empty` after it).
  void count_state(const interned_name& type, agent_state state, int by,
                   bool keep = false);

  /// Forgets `type` if it has no record left.
  void forget_if_empty(const interned_name& type);

  /// An event went out.
  void count_event(const event& e);

  /// An offline verdict came `late` after its exact deadline (last beat + timeout).
  void count_detection(duration late);

  /// Fills everything but `stats` and `nodes`.
  void fill(fleet_metrics& x) const;

private:
  struct per_type {
    interned_name name; ///< Holds the interned copy the map's key points to.
    std::array<uint64_t, agent_state_count> agents{};
    uint64_t restarts = 0;
  };

  /// The entry `type` counts in: its own, or `other_` for a type that came while
  /// `max_metric_types` others had one, for as long as it has records (a type never
  /// moves while counted, or its counts would drift between the two).
  per_type& of(const std::string* type);

  /// By the interned copy of the type name; at most `max_metric_types` entries.
  std::unordered_map<const std::string*, per_type> types_;
  per_type other_; ///< Every type past the bound.
  bool other_used_ = false;
  /// The types counted in `other_`, with their records there (removed at 0, before
  /// the name can be freed and its address reused).
  std::unordered_map<const std::string*, uint64_t> in_other_;
  std::array<uint64_t, agent_state_count * agent_state_count> transitions_{};
  std::map<event_kind, uint64_t> events_;
  std::map<std::string, uint64_t> fires_;      ///< Bounded: the watchdog's reasons.
  std::map<std::string, uint64_t> given_up_;   ///< Bounded: intensity, no_spawner.
  std::array<uint64_t, 12> lateness_counts_{}; ///< `lateness_bounds` + 1 entries.
  double lateness_sum_ = 0;
};

} // namespace vigil::detail
