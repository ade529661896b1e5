// The event codec: Boost.JSON values both ways, and one writer that prints them.
#include "vigil/messages/event_json.hpp"

#include <charconv>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include "event_json_fields.hpp"
#include "event_json_reader.hpp"

namespace vigil {

namespace json = boost::json;
using namespace detail;

void detail::write_json(std::string& out, const json::value& v) {
  switch (v.kind()) {
  case json::kind::object: {
    out += '{';
    bool first = true;
    for (auto& [key, x] : v.get_object()) {
      if (!std::exchange(first, false))
        out += ',';
      out += json::serialize(key);
      out += ':';
      write_json(out, x);
    }
    out += '}';
    break;
  }
  case json::kind::array: {
    out += '[';
    bool first = true;
    for (auto& x : v.get_array()) {
      if (!std::exchange(first, false))
        out += ',';
      write_json(out, x);
    }
    out += ']';
    break;
  }
  case json::kind::double_: {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), v.get_double(),
                           std::chars_format::fixed, 3);
    out.append(buf, r.ptr);
    break;
  }
  default:
    out += json::serialize(v);
  }
}

std::string to_string(const event_json_problem& x) {
  return "event " + (x.pointer.empty() ? std::string{"JSON"} : x.pointer) +
         ": expected " + x.expected + ", found " + x.found;
}

json::object event_to_json(const event& e, time_point origin) {
  json::object o;
  auto at = ns_since(e.at, origin);
  o["schema"] = event_schema_version;
  o["seq"] = e.seq;
  o["t"] = seconds(at);
  o["kind"] = to_string(e.kind);
  o["agent"] = e.agent;
  o["type"] = e.type;
  o["node"] = e.node;
  o["from"] = to_string(e.from);
  o["to"] = to_string(e.to);
  o["reason"] = e.reason;
  o["version"] = e.version;
  if (carries_count(e.kind) || e.missed != 0)
    o["count"] = e.missed;
  if (e.recovery_at)
    o["recovery_at"] = seconds(ns_since(*e.recovery_at, origin));
  if (!e.error.empty())
    o["error"] = e.error;
  bool wait = carries_wait(e.kind), restart = carries_restart(e.kind);
  bool delay = carries_delay(e.kind) || e.delay != duration::zero();
  if (wait || e.waited != duration::zero())
    o["waited"] = seconds(e.waited.count());
  if (wait || restart || !e.details.empty())
    o["details"] = e.details;
  if (restart || e.attempt != 0)
    o["attempt"] = e.attempt;
  if (restart || e.restarts != 0)
    o["restarts"] = e.restarts;
  if (delay)
    o["delay"] = seconds(e.delay.count());
  if (e.due)
    o["due"] = seconds(ns_since(*e.due, origin));
  o["at_ns"] = at;
  if (e.recovery_at)
    o["recovery_at_ns"] = ns_since(*e.recovery_at, origin);
  if (wait || e.waited != duration::zero())
    o["waited_ns"] = e.waited.count();
  if (delay)
    o["delay_ns"] = e.delay.count();
  if (e.due)
    o["due_ns"] = ns_since(*e.due, origin);
  return o;
}

std::string json_text(const json::value& v) {
  std::string out;
  write_json(out, v);
  return out;
}

std::string event_line(const event& e, time_point origin) {
  std::string out;
  out.reserve(256);
  write_json(out, event_to_json(e, origin));
  return out;
}

std::optional<event> event_from_json(const json::value& v, time_point origin,
                                     event_json_problem& why) {
  if (!v.is_object()) {
    why = {"", "an event object", json::serialize(v).substr(0, 80)};
    return std::nullopt;
  }
  reader r{v.get_object(), origin, why};
  event e;
  uint64_t schema = 0;
  int64_t at = 0;
  if (!r.only_known_keys() ||
      !r.unsigned_int("schema", schema, event_schema_version, event_schema_version) ||
      !r.unsigned_int("seq", e.seq, 0, std::numeric_limits<uint64_t>::max()) ||
      !r.word("kind", e.kind, all_event_kinds()) || !r.text("agent", e.agent) ||
      !r.text("type", e.type) || !r.text("node", e.node) ||
      !r.word("from", e.from, all_agent_states()) ||
      !r.word("to", e.to, all_agent_states()) || !r.text("reason", e.reason) ||
      !r.unsigned_int("version", e.version, 0, std::numeric_limits<uint64_t>::max()) ||
      !r.signed_int("at_ns", at) || !r.seconds_of("t", "at_ns", at) ||
      !r.instant("at_ns", at, e.at))
    return std::nullopt;
  // Details: what the kind always carries, or what the encoder writes when set.
  auto kind = to_string(e.kind);
  bool waits = carries_wait(e.kind), restarts = carries_restart(e.kind);
  if (!r.counter("count", e.missed, carries_count(e.kind), kind) ||
      !r.moment("recovery_at", "recovery_at_ns", e.recovery_at) ||
      !r.note("error", e.error, false, kind) ||
      !r.span("waited", "waited_ns", e.waited, waits, kind) ||
      !r.note("details", e.details, waits || restarts, kind) ||
      !r.counter("attempt", e.attempt, restarts, kind) ||
      !r.counter("restarts", e.restarts, restarts, kind) ||
      !r.span("delay", "delay_ns", e.delay, carries_delay(e.kind), kind) ||
      !r.moment("due", "due_ns", e.due))
    return std::nullopt;
  return e;
}

std::optional<event> parse_event_line(std::string_view line, time_point origin,
                                      event_json_problem& why) {
  json::error_code ec;
  auto v = json::parse(json::string_view{line.data(), line.size()}, ec);
  if (ec) {
    why = {"", "one JSON object", "invalid JSON (" + ec.message() + ")"};
    return std::nullopt;
  }
  return event_from_json(v, origin, why);
}

time_point unix_origin(time_point now_on_clock) {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return now_on_clock - std::chrono::duration_cast<duration>(since_epoch);
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const event& x) {
  jv = event_to_json(x, time_point{});
}

event tag_invoke(const json::value_to_tag<event>&, const json::value& jv) {
  event_json_problem why;
  if (auto e = event_from_json(jv, time_point{}, why))
    return std::move(*e);
  throw std::invalid_argument(to_string(why));
}

} // namespace vigil
