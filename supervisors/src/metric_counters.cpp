#include "metric_counters.hpp"

#include <algorithm>
#include <chrono>

namespace vigil::detail {

namespace {

/// Upper bounds of the detection lateness buckets, in seconds: from exact (virtual
/// time, an idle supervisor) to the lateness cap (30 s).
constexpr std::array<double, 11> lateness_bounds{0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                 0.25,  0.5,   1,    5,     30};

} // namespace

metric_counters::per_type& metric_counters::of(const std::string* type) {
  if (auto i = types_.find(type); i != types_.end())
    return i->second;
  if (!type || in_other_.count(type) > 0 || types_.size() >= max_metric_types) {
    other_used_ = true;
    return other_;
  }
  auto& x = types_[type];
  x.name = interned_name{*type};
  return x;
}

void metric_counters::count_state(const interned_name& type, agent_state state, int by,
                                  bool keep) {
  auto& t = of(type.get());
  auto& n = t.agents[static_cast<size_t>(state)];
  n = by > 0 ? n + 1 : n - (n > 0 ? 1 : 0);
  if (&t == &other_) {
    if (!type)
      return;
    auto& members = in_other_[type.get()];
    members = by > 0 ? members + 1 : members - (members > 0 ? 1 : 0);
    if (members == 0)
      in_other_.erase(type.get());
    return;
  }
  if (by < 0 && !keep)
    forget_if_empty(type);
}

void metric_counters::forget_if_empty(const interned_name& type) {
  // A type with no record left goes, and with it its hold on the interned name
  // (DESIGN §14: names peers chose are freed with their last record). Its restarts
  // counter starts over if the type comes back: a counter reset, which Prometheus
  // handles.
  auto i = types_.find(type.get());
  if (i != types_.end() && std::all_of(i->second.agents.begin(), i->second.agents.end(),
                                       [](uint64_t x) { return x == 0; }))
    types_.erase(i);
}

void metric_counters::count_event(const event& e) {
  ++events_[e.kind];
  switch (e.kind) {
  case event_kind::transition:
    ++transitions_[static_cast<size_t>(e.from) * agent_state_count +
                   static_cast<size_t>(e.to)];
    break;
  case event_kind::watchdog:
    ++fires_[e.reason];
    break;
  case event_kind::restart_gave_up:
    ++given_up_[e.reason];
    break;
  case event_kind::registered:
    if (e.reason == "restarted")
      ++of(find_interned(e.type)).restarts;
    break;
  default:
    break;
  }
}

void metric_counters::count_detection(duration late) {
  auto s = std::chrono::duration<double>(std::max(late, duration::zero())).count();
  size_t i = 0;
  while (i < lateness_bounds.size() && s > lateness_bounds[i])
    ++i;
  ++lateness_counts_[i];
  lateness_sum_ += s;
}

void metric_counters::fill(fleet_metrics& x) const {
  auto add = [&](const std::string& name, const per_type& t) {
    type_metrics m;
    m.type = name;
    m.agents.assign(t.agents.begin(), t.agents.end());
    m.restarts = t.restarts;
    x.types.push_back(std::move(m));
  };
  std::map<std::string, const per_type*> sorted;
  for (auto& [key, t] : types_)
    sorted.emplace(*t.name, &t);
  for (auto& [name, t] : sorted)
    add(name, *t);
  if (other_used_)
    add(std::string{}, other_);
  x.transitions.assign(transitions_.begin(), transitions_.end());
  for (auto& [kind, n] : events_)
    x.events_by_kind[to_string(kind)] = n;
  x.watchdog_fires = fires_;
  x.restarts_given_up = given_up_;
  x.detection_lateness.bounds.assign(lateness_bounds.begin(), lateness_bounds.end());
  x.detection_lateness.counts.assign(lateness_counts_.begin(), lateness_counts_.end());
  x.detection_lateness.sum = lateness_sum_;
}

} // namespace vigil::detail
