#include "vigil/messages/event_json.hpp"

#include <stdexcept>
#include <string>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

namespace vigil {

namespace json = boost::json;

namespace {

int64_t to_ns(time_point t) {
  return t.time_since_epoch().count();
}

time_point from_ns(int64_t ns) {
  return time_point{duration{ns}};
}

const json::value& field(const json::object& obj, const char* key) {
  if (auto p = obj.if_contains(key))
    return *p;
  throw std::invalid_argument(std::string{"event JSON: missing key \""} + key + "\"");
}

std::string text(const json::object& obj, const char* key) {
  auto& v = field(obj, key);
  if (!v.is_string())
    throw std::invalid_argument(std::string{"event JSON: \""} + key +
                                "\" must be a string");
  return std::string{v.get_string()};
}

template <class Enum>
Enum word(const json::object& obj, const char* key) {
  Enum x{};
  auto str = text(obj, key);
  if (!from_string(str, x))
    throw std::invalid_argument(std::string{"event JSON: \""} + key +
                                "\" has unknown value \"" + str + "\"");
  return x;
}

template <class Int>
Int number(const json::object& obj, const char* key) {
  return json::value_to<Int>(field(obj, key));
}

} // namespace

void tag_invoke(const json::value_from_tag&, json::value& jv, const event& x) {
  json::object obj;
  obj["seq"] = x.seq;
  obj["kind"] = to_string(x.kind);
  obj["agent"] = x.agent;
  obj["type"] = x.type;
  obj["node"] = x.node;
  obj["from"] = to_string(x.from);
  obj["to"] = to_string(x.to);
  obj["reason"] = x.reason;
  obj["at_ns"] = to_ns(x.at);
  obj["version"] = x.version;
  obj["missed"] = x.missed;
  if (x.recovery_at)
    obj["recovery_at_ns"] = to_ns(*x.recovery_at);
  else
    obj["recovery_at_ns"] = nullptr;
  obj["error"] = x.error;
  obj["waited_ns"] = x.waited.count();
  obj["details"] = x.details;
  jv = std::move(obj);
}

event tag_invoke(const json::value_to_tag<event>&, const json::value& jv) {
  if (!jv.is_object())
    throw std::invalid_argument("event JSON: expected an object");
  auto& obj = jv.get_object();
  event x;
  x.seq = number<uint64_t>(obj, "seq");
  x.kind = word<event_kind>(obj, "kind");
  x.agent = text(obj, "agent");
  x.type = text(obj, "type");
  x.node = text(obj, "node");
  x.from = word<agent_state>(obj, "from");
  x.to = word<agent_state>(obj, "to");
  x.reason = text(obj, "reason");
  x.at = from_ns(number<int64_t>(obj, "at_ns"));
  x.version = number<uint64_t>(obj, "version");
  x.missed = number<uint32_t>(obj, "missed");
  if (auto& r = field(obj, "recovery_at_ns"); !r.is_null())
    x.recovery_at = from_ns(json::value_to<int64_t>(r));
  x.error = text(obj, "error");
  x.waited = duration{number<int64_t>(obj, "waited_ns")};
  x.details = text(obj, "details");
  return x;
}

} // namespace vigil
