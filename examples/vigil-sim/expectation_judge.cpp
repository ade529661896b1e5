#include "expectation_judge.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "speed.hpp"

namespace vigil::sim {

namespace {

verdict passed(const expectation& e) {
  return {&e, true, {}};
}

verdict failed(const expectation& e, std::string message) {
  return {&e, false, std::move(message)};
}

std::string join(const std::vector<agent_state>& xs) {
  std::string result;
  for (auto x : xs)
    result += (result.empty() ? "" : ", ") + to_string(x);
  return result.empty() ? "none" : result;
}

} // namespace

verdict
expectation_judge::at_instant(const expectation& e,
                              const std::map<std::string, agent_state>& model) const {
  for (auto i : e.agents) {
    auto& id = s.agents[i].id;
    auto it = model.find(id);
    auto seen = it == model.end() ? std::string{"no record"} : to_string(it->second);
    if (it == model.end() || it->second != e.state)
      return failed(e, "agent " + id + " at " + fmt_s(e.at) + ": expected " +
                           to_string(e.state) + ", found " + seen);
  }
  return passed(e);
}

verdict expectation_judge::states(const expectation& e,
                                  const std::vector<event>& events) const {
  std::map<std::string, std::vector<agent_state>> seq;
  for (auto& ev : events)
    if (ev.kind == event_kind::registered || ev.kind == event_kind::transition)
      seq[ev.agent].push_back(ev.to);
  for (auto i : e.agents) {
    auto& id = s.agents[i].id;
    if (seq[id] != e.states)
      return failed(e, "agent " + id + ": expected states " + sim::join(e.states) +
                           ", saw " + sim::join(seq[id]));
  }
  return passed(e);
}

verdict expectation_judge::on_history(const expectation& e,
                                      const std::vector<event>& events) const {
  if (e.kind == expectation_kind::states)
    return states(e, events);
  std::set<std::string> ids;
  for (auto i : e.agents)
    ids.insert(s.agents[i].id);
  std::map<std::string, std::vector<duration>> times;
  for (auto& ev : events) {
    if (ev.kind != e.event || !ids.count(ev.agent))
      continue;
    if (e.to && ev.to != *e.to)
      continue;
    if (e.reason && ev.reason != *e.reason)
      continue;
    times[ev.agent].push_back(ev.at - start);
  }
  auto what = to_string(e.event) + (e.to ? " to " + to_string(*e.to) : "") +
              (e.reason ? " (" + *e.reason + ")" : "");
  for (auto& id : ids) {
    auto& ts = times[id];
    std::string seen = ts.empty() ? "none" : "at " + join(ts);
    if (e.count && ts.size() != *e.count)
      return failed(e, "agent " + id + ": expected " + std::to_string(*e.count) + " " +
                           what + " event(s), saw " + std::to_string(ts.size()) + " (" +
                           seen + ")");
    auto in = [&](duration lo, duration hi) {
      return std::any_of(ts.begin(), ts.end(),
                         [&](duration t) { return lo <= t && t <= hi; });
    };
    auto tol = e.tolerance + slack;
    if (e.event_at && !in(*e.event_at - tol, *e.event_at + tol))
      return failed(e, "agent " + id + ": expected " + what + " at " +
                           fmt_s(*e.event_at) + " (+/- " + fmt_s(e.tolerance) +
                           "), saw " + seen);
    if (e.between && !in(e.between->first - slack, e.between->second + slack))
      return failed(e, "agent " + id + ": expected " + what + " between " +
                           fmt_s(e.between->first) + " and " +
                           fmt_s(e.between->second) + ", saw " + seen);
  }
  return passed(e);
}

std::string expectation_judge::fmt_s(duration d) const {
  return format_duration(
      std::chrono::duration_cast<std::chrono::milliseconds>(scaled(d, speed)));
}

std::string expectation_judge::join(const std::vector<duration>& xs) const {
  std::string result;
  for (size_t i = 0; i < xs.size() && i < 5; ++i)
    result += (result.empty() ? "" : ", ") + fmt_s(xs[i]);
  if (xs.size() > 5)
    result += ", ...";
  return result;
}

} // namespace vigil::sim
