// Runs a scenario against the real supervisor and real agent actors in virtual time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "scenario.hpp"
#include "vigil/messages/event.hpp"

namespace vigil::sim {

/// What one expectation came to.
struct verdict {
  const expectation* what = nullptr;
  bool passed = true;
  std::string message; ///< What was expected and what was seen.
};

/// What a run produced.
struct run_result {
  std::vector<event> events;
  std::vector<verdict> verdicts;
  std::map<agent_state, uint64_t> final_counts;
  time_point start; ///< Event times are relative to this.
  double wall_seconds = 0;
  uint64_t heartbeats = 0; ///< Beats the supervisor received.
  std::string error;       ///< Set when the run could not start (e.g. a bad store).
};

struct run_options {
  /// Called for every event as it happens (for live output); may be empty.
  std::function<void(const event&, duration since_start)> on_event;
  /// Called once per virtual hour with the counts by state (large fleets).
  std::function<void(duration since_start, const std::map<agent_state, uint64_t>&)>
      on_hour;
  /// Run on the wall clock instead of virtual time, `speed` times faster than real.
  /// Every duration of the scenario is divided by `speed`; reported times are not.
  /// Expectations get `realtime_slack` (wall time) of extra tolerance for timer jitter,
  /// which is `speed` times more in scenario time: expectations right at a boundary are
  /// for virtual time.
  bool realtime = false;
  double speed = 1.0;
  duration realtime_slack = std::chrono::milliseconds(10);
  /// Realtime only: called about twice a second with the scenario time reached.
  std::function<void(duration since_start, size_t events)> on_progress;
};

/// Runs `s` to its `until` and judges its expectations.
run_result run(const scenario& s, const run_options& opts);

} // namespace vigil::sim
