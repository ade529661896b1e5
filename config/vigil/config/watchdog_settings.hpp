// Stall watchdog settings (DESIGN §6); the names are the JSON keys.
#pragma once

#include <optional>

#include <caf/fwd.hpp>

#include "vigil/messages/time.hpp"

namespace vigil {

/// When silent work is suspicious. Every setting is off unless set: silent work is only
/// suspicious where the user says so.
struct watchdog_settings {
  std::optional<duration>
      idle_timeout; ///< No output this long: wait on children or drain.
  std::optional<duration> max_session; ///< One slot's whole work, from its start.
  std::optional<duration> max_waiting_on_child; ///< Total waiting-on-child time.
  /// The shorter ceiling when the evidence shows no progress.
  std::optional<duration> max_waiting_on_child_no_progress;
  std::optional<duration> suspect_waiting_on_child; ///< Total that makes it suspect.
  /// Grace after the idle deadline without children; unset means none (fire at once).
  std::optional<duration> drain_window;
  std::optional<duration> status_interval; ///< Between `progress` events while waiting.

  /// Whether the watchdog can say anything at all: every verdict starts from the idle
  /// deadline or the session ceiling.
  bool enabled() const noexcept { return idle_timeout || max_session; }
};

/// An empty error when the settings make sense, else `errc::bad_config` naming the
/// setting.
caf::error validate(const watchdog_settings& x);

} // namespace vigil
