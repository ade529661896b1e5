#include "vigil/messages/event_line.hpp"

#include <cinttypes>
#include <cstdio>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace vigil {

namespace {

double seconds(duration d) {
  return std::chrono::duration<double>(d).count();
}

} // namespace

std::string event_line(const event& e, time_point origin) {
  boost::json::object o;
  o["kind"] = to_string(e.kind);
  o["agent"] = e.agent;
  o["type"] = e.type;
  o["node"] = e.node;
  o["from"] = to_string(e.from);
  o["to"] = to_string(e.to);
  o["reason"] = e.reason;
  o["version"] = e.version;
  if (e.kind == event_kind::heartbeat_missed)
    o["count"] = e.missed;
  // Seconds are written with millisecond digits ("61.500", not Boost's "6.15E1"):
  // placeholders here, numbers below.
  std::vector<std::pair<std::string, double>> secs;
  if (e.recovery_at) {
    o["recovery_at"] = "\x01recovery_at";
    secs.emplace_back("recovery_at", seconds(*e.recovery_at - origin));
  }
  if (!e.error.empty())
    o["error"] = e.error;
  if (e.waited > duration::zero() || !e.details.empty()) {
    o["waited"] = "\x01waited";
    secs.emplace_back("waited", seconds(e.waited));
    o["details"] = e.details;
  }
  auto line = boost::json::serialize(o);
  char num[64];
  for (auto& [key, value] : secs) {
    auto mark = "\"\\u0001" + key + "\"";
    std::snprintf(num, sizeof(num), "%.3f", value);
    line.replace(line.find(mark), mark.size(), num);
  }
  // seq and t lead each line.
  std::snprintf(num, sizeof(num), "{\"seq\":%" PRIu64 ",\"t\":%.3f,", e.seq,
                seconds(e.at - origin));
  return num + line.substr(1);
}

time_point unix_origin(time_point now_on_clock) {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return now_on_clock - std::chrono::duration_cast<duration>(since_epoch);
}

} // namespace vigil
