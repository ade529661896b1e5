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
};

/// @relates event_kind
std::string to_string(event_kind x);

/// @relates event_kind
bool from_string(std::string_view text, event_kind& x);

} // namespace vigil
