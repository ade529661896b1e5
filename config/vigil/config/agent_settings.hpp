// What an agent actor needs to know about its own conduct.
#pragma once

#include <chrono>
#include <cstddef>

#include <caf/fwd.hpp>

#include "vigil/messages/time.hpp"

namespace vigil {

/// Settings of one agent actor (JSON: `heartbeat.interval`, `slot_queue`,
/// `exhausted.default_recovery`).
struct agent_settings {
  duration heartbeat_interval = std::chrono::seconds(10); ///< Beat period.
  size_t slot_queue = 16; ///< Slots that may wait while the agent works.
  duration default_recovery = std::chrono::hours(5); ///< Exhausted without retry-after.
  /// Continuous output is reported at most once per this interval. Keep it well below
  /// the watchdog's `idle_timeout`.
  duration activity_report_interval = std::chrono::seconds(1);
};

/// An empty error when the settings make sense, else `errc::bad_config` naming the
/// setting.
caf::error validate(const agent_settings& x);

} // namespace vigil
