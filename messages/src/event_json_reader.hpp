// The event codec's decoder (event_json.cpp): one pass over an object, each check
// saying which field, what was expected and what was found.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <caf/optional.hpp>

#include "event_json_fields.hpp"
#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/event_json.hpp"

namespace vigil::detail {

namespace json = boost::json;

// "a, b or c" from the code's own table of names.
template <class Enum>
std::string names(const std::vector<Enum>& xs) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i)
    out += (i == 0 ? "" : i + 1 == xs.size() ? " or " : ", ") + to_string(xs[i]);
  return out;
}

inline const std::vector<event_kind>& all_event_kinds() {
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
    write_json(digits, json::value(want));
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

  // A counter up to 2^32 - 1: always there when `always`, else only when not 0.
  bool counter(const char* key, uint32_t& x, bool always, const std::string& kind) {
    if (!always && !find(key))
      return true;
    uint64_t n = 0;
    if (!unsigned_int(key, n, 0, std::numeric_limits<uint32_t>::max()))
      return false;
    if (!always && n == 0)
      return fail(key, "an integer from 1 to 4294967295" + only_when_set(kind, "0"),
                  "0");
    x = static_cast<uint32_t>(n);
    return true;
  }

  // A span in seconds and nanoseconds: always there when `always`, else only when
  // not 0.
  bool span(const char* key, const char* ns_key, duration& x, bool always,
            const std::string& kind) {
    if (!paired(key, ns_key, always ? kind.c_str() : nullptr))
      return false;
    if (!find(ns_key))
      return true;
    int64_t ns = 0;
    if (!signed_int(ns_key, ns) || !seconds_of(key, ns_key, ns))
      return false;
    if (!always && ns == 0)
      return fail(ns_key, "an integer other than 0" + only_when_set(kind, "0"), "0");
    x = duration{ns};
    return true;
  }

  // An optional time from the origin in seconds and nanoseconds.
  bool moment(const char* key, const char* ns_key, caf::optional<time_point>& x) {
    if (!paired(key, ns_key, nullptr))
      return false;
    if (!find(ns_key))
      return true;
    int64_t ns = 0;
    time_point t;
    if (!signed_int(ns_key, ns) || !seconds_of(key, ns_key, ns) ||
        !instant(ns_key, ns, t))
      return false;
    x = t;
    return true;
  }

  // Text: always there when `always`, else only when not empty.
  bool note(const char* key, std::string& x, bool always, const std::string& kind) {
    if (!always && !find(key))
      return true;
    if (!text(key, x))
      return false;
    if (!always && x.empty())
      return fail(key, "a string" + only_when_set(kind, "empty"), "\"\"");
    return true;
  }

private:
  static std::string only_when_set(const std::string& kind, const char* unset) {
    return " (" + kind + " events have it only when not " + unset + ")";
  }

  static constexpr const char* keys[] = {
      "schema",      "seq",   "t",      "kind",           "agent",     "type",
      "node",        "from",  "to",     "reason",         "version",   "count",
      "recovery_at", "error", "waited", "details",        "attempt",   "restarts",
      "delay",       "due",   "at_ns",  "recovery_at_ns", "waited_ns", "delay_ns",
      "due_ns"};

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

} // namespace vigil::detail
