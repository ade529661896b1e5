#include "api_json.hpp"

#include <chrono>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "vigil/messages/event_json.hpp"
#include "vigil/messages/status_json.hpp"

namespace vigil::detail {

namespace json = boost::json;

namespace {

/// `{state: n}` for the states with agents.
json::object by_state(const std::vector<uint64_t>& xs) {
  json::object o;
  for (size_t i = 0; i < xs.size() && i < static_cast<size_t>(agent_state_count); ++i)
    if (xs[i] > 0)
      o[to_string(static_cast<agent_state>(i))] = xs[i];
  return o;
}

} // namespace

std::string summary_json(const fleet_metrics& m) {
  json::object o;
  o["seq"] = m.stats.last_seq;
  // As text: an epoch has up to 64 bits, which a JavaScript number would round.
  o["epoch"] = std::to_string(m.stats.epoch);
  std::vector<uint64_t> totals(agent_state_count, 0);
  json::array types;
  for (auto& t : m.types) {
    for (size_t i = 0; i < totals.size() && i < t.agents.size(); ++i)
      totals[i] += t.agents[i];
    json::object x;
    x["type"] = t.type; // empty: the types past the bound, together
    if (t.type.empty())
      x["other_types"] = true;
    x["agents"] = by_state(t.agents);
    x["restarts"] = t.restarts;
    types.push_back(std::move(x));
  }
  o["totals"] = by_state(totals);
  o["types"] = std::move(types);
  o["heartbeat_timeouts"] = m.stats.heartbeat_timeouts;
  return json_text(o);
}

std::string page_json(const agent_page& p, time_point origin) {
  json::object o;
  o["total"] = p.total;
  o["page"] = p.page;
  o["page_size"] = p.page_size;
  o["pages"] = p.page_size == 0 ? 0 : (p.total + p.page_size - 1) / p.page_size;
  json::array agents;
  for (auto& a : p.agents)
    agents.push_back(status_to_json(a, origin));
  o["agents"] = std::move(agents);
  return json_text(o);
}

std::string detail_json(const agent_detail& d, time_point origin) {
  json::object o;
  o["status"] = status_to_json(d.status, origin);
  json::array events;
  for (auto& e : d.recent)
    events.push_back(event_to_json(e, origin));
  o["events"] = std::move(events);
  return json_text(o);
}

std::string nodes_json(const std::vector<node_summary>& xs) {
  json::array nodes;
  for (auto& n : xs) {
    json::object x;
    x["node"] = n.node;
    x["agents"] = by_state(n.agents);
    uint64_t total = 0;
    for (auto k : n.agents)
      total += k;
    x["total"] = total;
    x["overloaded"] = n.overloaded;
    x["lateness"] = std::chrono::duration<double>(n.lateness).count();
    nodes.push_back(std::move(x));
  }
  json::object o;
  o["nodes"] = std::move(nodes);
  return json_text(o);
}

std::string error_json(const std::string& text) {
  json::object o;
  o["error"] = text;
  return json_text(o);
}

} // namespace vigil::detail
