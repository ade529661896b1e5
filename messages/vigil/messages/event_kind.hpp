// The kinds of event a supervisor broadcasts (DESIGN §3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

/// What an `event` reports.
enum class event_kind : uint8_t {
  transition,       ///< An agent changed state (from, to, reason).
  heartbeat_missed, ///< A liveness check found no beat (missed count).
  watchdog,         ///< The watchdog fired (reason: the fire reason).
  entered,          ///< A waiting-on-child run began.
  progress,         ///< A waiting run goes on (every `status_interval`).
  suspected_frozen, ///< Waiting crossed `suspect_waiting_on_child` (details: evidence).
  exited,           ///< A waiting run ended without a fire.
  hard_stop,        ///< Right before a `children_persist_too_long` fire.
  registered,       ///< A record appeared (to: its state, version: its version).
  purged,           ///< An ended record left after its retention.
  /// A restart of an ended agent was decided (stamped at its end): `attempt`,
  /// `delay`, `due`; `details`: the reason of the end that caused it.
  restart_scheduled,
  /// A restart that was due is not made (reason: `intensity`, `no_spawner`); the
  /// agent stays in its ended state. `attempt`: the one not made.
  restart_gave_up,
};

/// @relates event_kind
std::string to_string(event_kind x);

/// @relates event_kind
bool from_string(std::string_view text, event_kind& x);

} // namespace vigil
