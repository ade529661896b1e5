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

namespace vigil {

namespace json = boost::json;

namespace {

constexpr int64_t ns_per_ms = 1'000'000;

// at - origin in nanoseconds; past the range of int64 (292 years) it saturates.
int64_t ns_since(time_point at, time_point origin) {
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
double seconds(int64_t ns) {
  auto ms = ns / ns_per_ms;
  auto rest = ns % ns_per_ms;
  if (rest >= ns_per_ms / 2)
    ++ms;
  else if (rest <= -ns_per_ms / 2)
    --ms;
  return static_cast<double>(ms) / 1000.0;
}

bool carries_count(event_kind k) {
  return k == event_kind::heartbeat_missed;
}

bool carries_wait(event_kind k) {
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

// Boost prints every double in exponent form ("6.15E1"). The only doubles of an
// event are seconds rounded to the millisecond, so they print with three decimals;
// everything else (and every string's escaping) is Boost's own.
void write(std::string& out, const json::value& v) {
  switch (v.kind()) {
  case json::kind::object: {
    out += '{';
    bool first = true;
    for (auto& [key, x] : v.get_object()) {
      if (!std::exchange(first, false))
        out += ',';
      out += json::serialize(key);
      out += ':';
      write(out, x);
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
      write(out, x);
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

} // namespace

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
  bool wait = carries_wait(e.kind);
  if (wait || e.waited != duration::zero())
    o["waited"] = seconds(e.waited.count());
  if (wait || !e.details.empty())
    o["details"] = e.details;
  o["at_ns"] = at;
  if (e.recovery_at)
    o["recovery_at_ns"] = ns_since(*e.recovery_at, origin);
  if (wait || e.waited != duration::zero())
    o["waited_ns"] = e.waited.count();
  return o;
}

std::string event_line(const event& e, time_point origin) {
  std::string out;
  out.reserve(256);
  write(out, event_to_json(e, origin));
  return out;
}

namespace {

// "a, b or c" from the code's own table of names.
template <class Enum>
std::string names(const std::vector<Enum>& xs) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i)
    out += (i == 0 ? "" : i + 1 == xs.size() ? " or " : ", ") + to_string(xs[i]);
  return out;
}

const std::vector<event_kind>& all_event_kinds() {
  static const auto xs = [] {
    std::vector<event_kind> out;
    event_kind k{};
    for (unsigned i = 0; from_string(to_string(static_cast<event_kind>(i)), k); ++i)
      out.push_back(k);
    return out;
  }();
  return xs;
}

// The decoder: one pass over the object, each check saying which field, what was
// expected and what was found.
class reader {
public:
  reader(const json::object& o, time_point origin, event_json_problem& why)
      : o_(o), origin_(origin), why_(why) {}

  bool fail(const char* key, std::string expected, std::string found) {
    why_ = {std::string{"/"} + key, std::move(expected), std::move(found)};
    return false;
  }

  bool refuse(const char* key, std::string expected, const json::value& found) {
    return fail(key, std::move(expected), shown(found));
  }

  const json::value* find(const char* key) const { return o_.if_contains(key); }

  // Unknown keys first: a misspelt optional field is refused, not ignored. The key
  // shows only escaped, as a peer may have put anything in it.
  bool only_known_keys() {
    for (auto& [key, value] : o_) {
      (void)value;
      if (!known(key)) {
        why_ = {"", "only the keys " + key_list(),
                "unknown key " + shown(json::string{key})};
        return false;
      }
    }
    return true;
  }

  bool text(const char* key, std::string& x) {
    auto v = find(key);
    if (!v)
      return fail(key, "a string", "nothing");
    if (!v->is_string())
      return refuse(key, "a string", *v);
    x = std::string{v->get_string()};
    return true;
  }

  template <class Enum>
  bool word(const char* key, Enum& x, const std::vector<Enum>& all) {
    std::string str;
    if (!text(key, str))
      return false;
    if (!from_string(str, x))
      return refuse(key, names(all), json::string{str});
    return true;
  }

  bool unsigned_int(const char* key, uint64_t& x, uint64_t lo, uint64_t hi) {
    auto v = find(key);
    auto expected =
        "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (!v)
      return fail(key, expected, "nothing");
    if (v->is_uint64())
      x = v->get_uint64();
    else if (v->is_int64() && v->get_int64() >= 0)
      x = static_cast<uint64_t>(v->get_int64());
    else
      return refuse(key, expected, *v);
    if (x < lo || x > hi)
      return refuse(key, expected, *v);
    return true;
  }

  bool signed_int(const char* key, int64_t& x) {
    auto v = find(key);
    auto expected = "an integer from " +
                    std::to_string(std::numeric_limits<int64_t>::min()) + " to " +
                    std::to_string(std::numeric_limits<int64_t>::max());
    if (!v)
      return fail(key, expected, "nothing");
    if (v->is_int64())
      x = v->get_int64();
    else if (v->is_uint64() &&
             v->get_uint64() <= uint64_t{std::numeric_limits<int64_t>::max()})
      x = static_cast<int64_t>(v->get_uint64());
    else
      return refuse(key, expected, *v);
    return true;
  }

  // Seconds that must say what `ns` says, as `event_to_json` rounds them.
  bool seconds_of(const char* key, const char* ns_key, int64_t ns) {
    auto v = find(key);
    auto want = seconds(ns);
    std::string digits;
    write(digits, json::value(want));
    auto expected = digits + " (" + ns_key + " in seconds, to the millisecond)";
    if (!v)
      return fail(key, expected, "nothing");
    if (!v->is_number())
      return refuse(key, expected, *v);
    json::error_code ec;
    auto got = v->to_number<double>(ec);
    if (ec || got != want)
      return refuse(key, expected, *v);
    return true;
  }

  // A time from origin that the clock can hold.
  bool instant(const char* key, int64_t ns, time_point& x) {
    int64_t r = 0;
    if (__builtin_add_overflow(origin_.time_since_epoch().count(), ns, &r))
      return fail(key, "a time the clock can hold from the origin",
                  std::to_string(ns) + " ns");
    x = time_point{duration{r}};
    return true;
  }

  // `key` (seconds) and `ns_key` come together or not at all; `required_by` names the
  // kind that always has them (or is null).
  bool paired(const char* key, const char* ns_key, const char* required_by) {
    bool has = find(key), has_ns = find(ns_key);
    if (has == has_ns && (has || !required_by))
      return true;
    if (!has && !has_ns)
      return fail(key,
                  std::string{"seconds ("} + required_by + " events always have " +
                      key + ")",
                  "nothing");
    if (has)
      return fail(ns_key, std::string{"nanoseconds beside "} + key, "nothing");
    return fail(key, std::string{"seconds beside "} + ns_key, "nothing");
  }

private:
  static constexpr const char* keys[] = {
      "schema",      "seq",   "t",      "kind",    "agent",   "type",
      "node",        "from",  "to",     "reason",  "version", "count",
      "recovery_at", "error", "waited", "details", "at_ns",   "recovery_at_ns",
      "waited_ns"};

  static std::string key_list() {
    std::string out;
    for (auto k : keys)
      out += (out.empty() ? "" : ", ") + std::string{k};
    return out;
  }

  static bool known(json::string_view key) {
    for (auto k : keys)
      if (key == k)
        return true;
    return false;
  }

  // What was found, short enough for one line of a log.
  static std::string shown(const json::value& v) {
    auto text = json::serialize(v);
    if (text.size() > 80)
      text = text.substr(0, 77) + "...";
    return text;
  }

  const json::object& o_;
  time_point origin_;
  event_json_problem& why_;
};

} // namespace

std::optional<event> event_from_json(const json::value& v, time_point origin,
                                     event_json_problem& why) {
  if (!v.is_object()) {
    why = {"", "an event object", json::serialize(v).substr(0, 80)};
    return std::nullopt;
  }
  reader r{v.get_object(), origin, why};
  event e;
  uint64_t schema = 0, missed = 0;
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
  bool counts = carries_count(e.kind), waits = carries_wait(e.kind);
  auto kind = to_string(e.kind);
  auto only_when_set = " (" + kind + " events have it only when not ";
  if (counts || r.find("count")) {
    if (!r.unsigned_int("count", missed, 0, std::numeric_limits<uint32_t>::max()))
      return std::nullopt;
    if (!counts && missed == 0) {
      r.fail("count", "an integer from 1 to 4294967295" + only_when_set + "0)", "0");
      return std::nullopt;
    }
    e.missed = static_cast<uint32_t>(missed);
  }
  if (!r.paired("recovery_at", "recovery_at_ns", nullptr))
    return std::nullopt;
  if (r.find("recovery_at_ns")) {
    int64_t ns = 0;
    time_point x;
    if (!r.signed_int("recovery_at_ns", ns) ||
        !r.seconds_of("recovery_at", "recovery_at_ns", ns) ||
        !r.instant("recovery_at_ns", ns, x))
      return std::nullopt;
    e.recovery_at = x;
  }
  if (r.find("error")) {
    if (!r.text("error", e.error))
      return std::nullopt;
    if (e.error.empty()) {
      r.fail("error", "a string" + only_when_set + "empty)", "\"\"");
      return std::nullopt;
    }
  }
  if (!r.paired("waited", "waited_ns", waits ? kind.c_str() : nullptr))
    return std::nullopt;
  if (r.find("waited_ns")) {
    int64_t ns = 0;
    if (!r.signed_int("waited_ns", ns) || !r.seconds_of("waited", "waited_ns", ns))
      return std::nullopt;
    if (!waits && ns == 0) {
      r.fail("waited_ns", "an integer other than 0" + only_when_set + "0)", "0");
      return std::nullopt;
    }
    e.waited = duration{ns};
  }
  if (waits || r.find("details")) {
    if (!r.text("details", e.details))
      return std::nullopt;
    if (!waits && e.details.empty()) {
      r.fail("details", "a string" + only_when_set + "empty)", "\"\"");
      return std::nullopt;
    }
  }
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
