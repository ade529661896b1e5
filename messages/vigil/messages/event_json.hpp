// The one JSON form of an event (docs/event.schema.json), for every writer and reader:
// `vigil-sim --events`, `vigil-node watch --json`, the SQLite store's `events.json`
// column and the Redis store's stream entries and channel messages.
//
//   auto line = vigil::event_line(e, origin);       // one line, no newline
//   vigil::event_json_problem why;
//   if (auto back = vigil::parse_event_line(line, origin, why)) ... // *back == e
//
// Times count from an `origin` (0 there): the start of a simulation, or the Unix epoch
// on the supervisor's clock (`unix_origin`). `t`, `recovery_at`, `waited`, `delay` and
// `due` are seconds to the millisecond for people; the `_ns` fields beside them hold
// the same times to the nanosecond, which the decoder reads, so a round trip is exact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "vigil/messages/event.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// The value of every event object's `schema` field; raised when a field changes
/// meaning or goes, so a reader can tell the shapes apart.
constexpr int64_t event_schema_version = 1;

/// Why a JSON value is not an event: the field (an RFC 6901 pointer such as "/count";
/// empty for the whole value), what was expected there and what was found.
struct event_json_problem {
  std::string pointer;
  std::string expected;
  std::string found;
};

/// "event /count: expected an integer from 0 to 4294967295, found -1".
/// @relates event_json_problem
std::string to_string(const event_json_problem& x);

/// The event as a JSON object of the event schema. Always: `schema`, `seq`, `t`,
/// `at_ns`, `kind`, `agent`, `type`, `node`, `from`, `to`, `reason`, `version`.
/// `count` for heartbeat_missed; `waited`, `waited_ns` and `details` for the watchdog's
/// kinds (watchdog, entered, progress, suspected_frozen, exited, hard_stop);
/// `attempt`, `restarts` and `details` (the cause) for restart_scheduled and
/// restart_gave_up, and `delay`, `delay_ns` for restart_scheduled; `recovery_at`,
/// `recovery_at_ns`, `due` and `due_ns` when set; `error` when not empty. Any other
/// kind carries `count`, `waited`, `details`, `attempt`, `restarts` or `delay` only
/// when not zero or empty (as the `registered` event of a restarted life carries
/// `attempt`, `restarts` and `details`), so no field of an event is lost. A time more
/// than 292 years from `origin` saturates.
boost::json::object event_to_json(const event& e, time_point origin);

/// `event_to_json` on one line, without a newline. Seconds print with millisecond
/// digits ("61.500") rather than Boost's "6.15E1".
std::string event_line(const event& e, time_point origin);

/// Any JSON value on one line the way `event_line` prints: doubles (seconds) with
/// three decimals ("61.500"), everything else as Boost.JSON prints it.
std::string json_text(const boost::json::value& v);

/// The event `v` holds, or none with `why` set. Accepts exactly what `event_to_json`
/// writes: no unknown or missing fields, each field of its type and range, seconds that
/// agree with their nanoseconds, times that fit the clock from `origin`.
std::optional<event> event_from_json(const boost::json::value& v, time_point origin,
                                     event_json_problem& why);

/// `event_from_json` of one line of JSON text.
std::optional<event> parse_event_line(std::string_view line, time_point origin,
                                      event_json_problem& why);

/// The supervisor clock's time of the Unix epoch, as seen now: with it as `origin`,
/// `t` is Unix seconds. Exact for events of a supervisor on this host (one monotonic
/// clock); another host's clock has another start.
time_point unix_origin(time_point now_on_clock);

/// Boost.JSON's customization points: `event_to_json` / `event_from_json` with the
/// clock's own epoch as origin. `value_to` throws `std::invalid_argument` with
/// `to_string(why)`.
/// @relates event
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const event& x);

/// @relates event
event tag_invoke(const boost::json::value_to_tag<event>&, const boost::json::value& jv);

} // namespace vigil
