// The one-line JSON form of an event for the world outside CAF: what `vigil-sim
// --events` writes and what stores publish (Redis streams and channels).
#pragma once

#include <string>

#include "vigil/messages/event.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// One JSON object, no newline: `seq`, `t` (seconds since `origin`, with millisecond
/// digits), `kind`, `agent`, `type`, `node`, `from`, `to`, `reason`, `version`, and
/// when they apply `count` (heartbeat_missed), `recovery_at` (seconds since `origin`),
/// `error`, `waited` (seconds) and `details` (watchdog statuses).
///
/// `origin` is the time that counts as 0: the start of a simulation, or the Unix epoch
/// on the supervisor's clock (see `unix_origin`) for wall-clock seconds.
std::string event_line(const event& e, time_point origin);

/// The supervisor clock's time of the Unix epoch, as seen now: `event_line` with it
/// writes `t` as Unix seconds.
time_point unix_origin(time_point now_on_clock);

} // namespace vigil
