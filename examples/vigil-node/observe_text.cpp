#include "observe_text.hpp"

#include <chrono>
#include <ctime>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace vigil::node {

namespace {

// A pause of whole seconds as config files spell it ("2s", "5m"), else seconds to the
// millisecond (a jittered "2.317s").
std::string pause_text(duration d) {
  if (std::chrono::duration_cast<std::chrono::seconds>(d) == d)
    return format_duration(d);
  return fmt::format("{:.3f}s", std::chrono::duration<double>(d).count());
}

// Milliseconds since the Unix epoch of `t`, with `origin` the epoch on its clock.
int64_t unix_ms(time_point t, time_point origin) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t - origin).count();
}

// "2026-12-07 14:55:03.120 UTC".
std::string utc_text(time_point t, time_point origin) {
  auto ms = unix_ms(t, origin);
  auto secs = static_cast<std::time_t>(ms / 1000);
  auto rest = ms % 1000;
  if (rest < 0) {
    rest += 1000;
    --secs;
  }
  return fmt::format("{:%Y-%m-%d %H:%M:%S}.{:03} UTC", fmt::gmtime(secs), rest);
}

} // namespace

std::string event_text(const event& e) {
  auto head = fmt::format("#{} {} ({}, {}): ", e.seq, e.agent, e.type, e.node);
  switch (e.kind) {
  case event_kind::transition:
    return head + fmt::format("{} -> {} ({}){}{}", to_string(e.from), to_string(e.to),
                              e.reason, e.error.empty() ? "" : ": ", e.error);
  case event_kind::restart_scheduled:
    return head + fmt::format("restart_scheduled attempt {} in {} ({})", e.attempt,
                              pause_text(e.delay), e.details);
  case event_kind::restart_gave_up:
    return head + fmt::format("restart_gave_up ({})", e.reason);
  default:
    break;
  }
  auto line = head + to_string(e.kind) + (e.reason.empty() ? "" : " ") + e.reason;
  if (e.kind == event_kind::registered && e.attempt > 0)
    line += fmt::format(" (attempt {} after {}, {} restarts)", e.attempt, e.details,
                        e.restarts);
  return line;
}

std::string agent_text(const agent_status& a, time_point origin) {
  auto line = fmt::format("{} {} last beat {:.1f} s ago, node {}", a.id,
                          to_string(a.state), a.seconds_since_beat, a.node);
  if (a.restarts > 0)
    line += fmt::format(", restarts {} (last: {})", a.restarts, a.last_restart_reason);
  if (a.restart_due)
    line += ", restart due " + utc_text(*a.restart_due, origin);
  return line;
}

boost::json::object agent_json(const agent_status& a, time_point origin) {
  boost::json::object o{{"id", a.id},
                        {"state", to_string(a.state)},
                        {"node", a.node},
                        {"type", a.type},
                        {"version", a.version},
                        {"seconds_since_beat", a.seconds_since_beat},
                        {"missed", a.missed},
                        {"reason", a.reason},
                        {"restarts", a.restarts},
                        {"last_restart_reason", a.last_restart_reason}};
  if (a.restart_due)
    o["restart_due"] = static_cast<double>(unix_ms(*a.restart_due, origin)) / 1000.0;
  else
    o["restart_due"] = nullptr;
  return o;
}

} // namespace vigil::node
