// A scenario's expectations judged against what the supervisor said: a state at an
// instant against the live record, and everything else against the events of the run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runner.hpp"
#include "scenario.hpp"
#include "vigil/messages/event.hpp"

namespace vigil::sim {

/// Judges the expectations of one run. Its messages give scenario times, whatever the
/// run's speed-up.
struct expectation_judge {
  const scenario& s;
  time_point start; ///< Of the run: event times are relative to it.
  double speed;     ///< The run's speed-up (1 in virtual time).
  duration slack;   ///< How late a realtime event may come (zero in virtual time).

  /// A `state` expectation, against the supervisor's record by events (id -> state).
  verdict at_instant(const expectation& e,
                     const std::map<std::string, agent_state>& model) const;

  /// Any other expectation, against the events of the whole run.
  verdict on_history(const expectation& e, const std::vector<event>& events) const;

private:
  verdict states(const expectation& e, const std::vector<event>& events) const;
  std::string fmt_s(duration d) const;
  std::string join(const std::vector<duration>& xs) const;
};

} // namespace vigil::sim
