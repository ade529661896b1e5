#include "vigil/messages/status_json.hpp"

#include "event_json_fields.hpp"

namespace vigil {

namespace {

/// `name` (seconds to the millisecond) and `name_ns` (exact) of `at` from `origin`.
void put_time(boost::json::object& o, const char* name, time_point at,
              time_point origin) {
  auto ns = detail::ns_since(at, origin);
  o[name] = detail::seconds(ns);
  o[std::string{name} + "_ns"] = ns;
}

/// An optional time: absent from the object when unset.
void put_time(boost::json::object& o, const char* name,
              const caf::optional<time_point>& at, time_point origin) {
  if (at)
    put_time(o, name, *at, origin);
}

} // namespace

boost::json::object status_to_json(const agent_status& x, time_point origin) {
  boost::json::object o;
  o["id"] = x.id;
  o["type"] = x.type;
  o["node"] = x.node;
  o["state"] = to_string(x.state);
  o["version"] = x.version;
  put_time(o, "registered_at", x.registered_at, origin);
  put_time(o, "started_at", x.started_at, origin);
  put_time(o, "ended_at", x.ended_at, origin);
  put_time(o, "last_beat", x.last_beat, origin);
  o["seconds_since_beat"] = x.seconds_since_beat;
  o["missed"] = x.missed;
  o["paused"] = x.paused;
  o["healthy"] = x.healthy;
  put_time(o, "recovery_at", x.recovery_at, origin);
  o["reason"] = x.reason;
  o["last_error"] = x.last_error;
  o["restarts"] = x.restarts;
  o["last_restart_reason"] = x.last_restart_reason;
  put_time(o, "restart_due", x.restart_due, origin);
  return o;
}

std::string status_line(const agent_status& x, time_point origin) {
  std::string out;
  detail::write_json(out, status_to_json(x, origin));
  return out;
}

} // namespace vigil
