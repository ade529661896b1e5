// What the event codec shares between its writer and its reader (event_json.cpp,
// event_json_reader.hpp): which fields each kind always carries, and how times print.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include <boost/json/fwd.hpp>

#include "vigil/messages/event_kind.hpp"
#include "vigil/messages/time.hpp"

namespace vigil::detail {

constexpr int64_t ns_per_ms = 1'000'000;

// at - origin in nanoseconds; past the range of int64 (292 years) it saturates.
inline int64_t ns_since(time_point at, time_point origin) {
  int64_t r = 0;
  if (__builtin_sub_overflow(at.time_since_epoch().count(),
                             origin.time_since_epoch().count(), &r))
    return at > origin ? std::numeric_limits<int64_t>::max()
                       : std::numeric_limits<int64_t>::min();
  return r;
}

// Nanoseconds as seconds to the millisecond (half away from zero). The milliseconds
// of any int64 of nanoseconds are below 2^53, so the double is the nearest one to
// ms / 1000 and prints back as exactly those digits.
inline double seconds(int64_t ns) {
  auto ms = ns / ns_per_ms;
  auto rest = ns % ns_per_ms;
  if (rest >= ns_per_ms / 2)
    ++ms;
  else if (rest <= -ns_per_ms / 2)
    --ms;
  return static_cast<double>(ms) / 1000.0;
}

/// `count`: heartbeat_missed.
inline bool carries_count(event_kind k) {
  return k == event_kind::heartbeat_missed;
}

/// `waited`, `waited_ns` and `details`: the watchdog's kinds.
inline bool carries_wait(event_kind k) {
  switch (k) {
  case event_kind::watchdog:
  case event_kind::entered:
  case event_kind::progress:
  case event_kind::suspected_frozen:
  case event_kind::exited:
  case event_kind::hard_stop:
    return true;
  default:
    return false;
  }
}

/// `attempt`, `restarts` and `details` (the cause): the restart kinds.
inline bool carries_restart(event_kind k) {
  return k == event_kind::restart_scheduled || k == event_kind::restart_gave_up;
}

/// `delay` and `delay_ns`: restart_scheduled. (Its `due` is written when set, as
/// `recovery_at` is, so no kind requires it.)
inline bool carries_delay(event_kind k) {
  return k == event_kind::restart_scheduled;
}

/// Appends `v` as JSON text: Boost's own, except that doubles (only ever seconds
/// rounded to the millisecond) print with three decimals rather than as "6.15E1".
void write_json(std::string& out, const boost::json::value& v);

} // namespace vigil::detail
