// Why the watchdog ended an agent: the reason of its `watchdog` event (DESIGN §6).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

/// Why the watchdog ended an agent.
enum class fire_reason : uint8_t {
  session_ceiling_exceeded,  ///< `max_session` since the slot started.
  no_output_deadline,        ///< No output, no children, drain window over.
  children_persist_too_long, ///< Total waiting on children reached its ceiling.
};

/// @relates fire_reason
std::string to_string(fire_reason x);

/// Parses the name `to_string` gives; false when `text` names no reason.
/// @relates fire_reason
bool from_string(std::string_view text, fire_reason& x);

/// "a, b or c": every reason's name, for messages that list what is allowed.
std::string fire_reason_names();

} // namespace vigil
