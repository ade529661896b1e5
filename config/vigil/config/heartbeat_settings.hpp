// Heartbeat liveness settings (DESIGN §5); the names are the JSON keys.
#pragma once

#include <chrono>

#include <caf/fwd.hpp>

#include "vigil/messages/time.hpp"

namespace vigil {

/// How often agents beat and when the supervisor gives up on them: offline is declared
/// at `last_beat + timeout + (max_missed - 1) * check_interval`, plus the lateness the
/// agent's node reports when it is overloaded (at most `lateness_cap`).
struct heartbeat_settings {
  duration interval = std::chrono::seconds(10);      ///< Agent send period.
  duration timeout = std::chrono::seconds(30);       ///< Silence before the first miss.
  duration check_interval = std::chrono::seconds(5); ///< Between further misses.
  int max_missed = 3;                                ///< Misses that make it offline.
  duration lag_grace = std::chrono::seconds(2); ///< Timer lateness taken as self-lag.
  /// The most a verdict waits for the lateness an agent's node reports (DESIGN §14):
  /// when the node's pacer says its beats run late, each miss of its agents counts
  /// that much later, never more than this. Zero: never wait. (A node is logged as
  /// overloaded while its lateness is more than `lag_grace`.)
  duration lateness_cap = std::chrono::seconds(30);
};

/// An empty error when the settings make sense, else `errc::bad_config` naming the
/// setting (`heartbeat.interval must be positive, found 0s`).
caf::error validate(const heartbeat_settings& x);

} // namespace vigil
