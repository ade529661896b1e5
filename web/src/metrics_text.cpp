#include "vigil/web/metrics_text.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <sstream>

#include <prometheus/text_serializer.h>

#include "vigil/messages/agent_state.hpp"

namespace vigil {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

double seconds(duration x) {
  return std::chrono::duration<double>(x).count();
}

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

ClientMetric sample(double value, std::vector<ClientMetric::Label> labels,
                    MetricType type) {
  ClientMetric m;
  m.label = std::move(labels);
  switch (type) {
  case MetricType::Counter:
    m.counter.value = value;
    break;
  default:
    m.gauge.value = value;
  }
  return m;
}

/// One family with a single unlabelled sample.
MetricFamily single(std::string name, std::string help, MetricType type, double value) {
  auto f = family(std::move(name), std::move(help), type);
  f.metric.push_back(sample(value, {}, type));
  return f;
}

/// One family with a sample per entry of `xs`, labelled `label`.
MetricFamily by_label(std::string name, std::string help, MetricType type,
                      const std::string& label,
                      const std::map<std::string, uint64_t>& xs) {
  auto f = family(std::move(name), std::move(help), type);
  for (auto& [value, n] : xs)
    f.metric.push_back(sample(static_cast<double>(n), {{label, value}}, type));
  return f;
}

/// The type label: types past `max_metric_types` share the empty one, which no type
/// can have (a name is never empty), so it never collides with a real type.
std::string type_label(const type_metrics& t) {
  return t.type;
}

/// The supervisor's inter-beat gaps (10 ms buckets) at the bounds people ask about.
MetricFamily beat_gaps(const std::vector<uint64_t>& gaps) {
  static constexpr std::array<double, 12> bounds{0.1, 0.25, 0.5, 0.75, 1,  1.25,
                                                 1.5, 2,    3,   5,    10, 30};
  auto f =
      family("vigil_heartbeat_gap_seconds",
             "Time between two beats of an agent, as the supervisor saw them "
             "(10 ms resolution; the last 10 ms bucket holds every gap of 10 s and "
             "more, its sum counts them as 10 s)",
             MetricType::Histogram);
  ClientMetric m;
  uint64_t total = 0;
  double sum = 0;
  for (size_t i = 0; i < gaps.size(); ++i) {
    total += gaps[i];
    sum += static_cast<double>(gaps[i]) * (static_cast<double>(i) + 0.5) * 0.01;
  }
  for (auto b : bounds) {
    // Bucket i holds gaps in [i * 10 ms, (i + 1) * 10 ms): all of them are <= b when
    // (i + 1) * 10 ms <= b. The last bucket is open-ended: only +Inf holds it.
    uint64_t n = 0;
    for (size_t i = 0;
         i + 1 < gaps.size() && static_cast<double>(i + 1) * 0.01 <= b + 1e-9; ++i)
      n += gaps[i];
    m.histogram.bucket.push_back({n, b});
  }
  m.histogram.bucket.push_back({total, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = total;
  m.histogram.sample_sum = sum;
  f.metric.push_back(std::move(m));
  return f;
}

MetricFamily histogram(std::string name, std::string help, const seconds_histogram& h) {
  auto f = family(std::move(name), std::move(help), MetricType::Histogram);
  ClientMetric m;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.bounds.size() && i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    m.histogram.bucket.push_back({cumulative, h.bounds[i]});
  }
  if (h.counts.size() > h.bounds.size())
    cumulative += h.counts[h.bounds.size()];
  m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = h.sum;
  f.metric.push_back(std::move(m));
  return f;
}

bool is_watchdog_kind(const std::string& kind) {
  return kind == "watchdog" || kind == "entered" || kind == "progress" ||
         kind == "suspected_frozen" || kind == "exited" || kind == "hard_stop";
}

} // namespace

std::vector<MetricFamily> metric_families(const fleet_metrics& m) {
  std::vector<MetricFamily> out;
  auto& s = m.stats;
  auto gauge = MetricType::Gauge;
  auto counter = MetricType::Counter;
  // Agents by state and type, now.
  auto agents = family("vigil_agents",
                       "Agents in the record by state and type (ended ones "
                       "in retention included)",
                       gauge);
  auto restarts =
      family("vigil_restarts_total",
             "Restarts made (a new life registered) by agent type", counter);
  for (auto& t : m.types) {
    for (int i = 0; i < agent_state_count && i < static_cast<int>(t.agents.size()); ++i)
      agents.metric.push_back(sample(
          static_cast<double>(t.agents[static_cast<size_t>(i)]),
          {{"state", to_string(static_cast<agent_state>(i))}, {"type", type_label(t)}},
          gauge));
    restarts.metric.push_back(
        sample(static_cast<double>(t.restarts), {{"type", type_label(t)}}, counter));
  }
  out.push_back(std::move(agents));
  // Transitions, by from and to: the pairs that happened.
  auto transitions = family("vigil_agent_transitions_total",
                            "State changes of agents, by the state left and the one "
                            "entered",
                            counter);
  for (size_t i = 0; i < m.transitions.size(); ++i)
    if (m.transitions[i] > 0)
      transitions.metric.push_back(
          sample(static_cast<double>(m.transitions[i]),
                 {{"from", to_string(static_cast<agent_state>(i / agent_state_count))},
                  {"to", to_string(static_cast<agent_state>(i % agent_state_count))}},
                 counter));
  out.push_back(std::move(transitions));
  out.push_back(single("vigil_heartbeat_timeouts_total",
                       "Agents declared offline for want of a beat", counter,
                       static_cast<double>(s.heartbeat_timeouts)));
  out.push_back(beat_gaps(s.beat_gaps_10ms));
  out.push_back(
      histogram("vigil_detection_lateness_seconds",
                "How long after its exact deadline (last beat + timeout) each "
                "offline verdict came",
                m.detection_lateness));
  out.push_back(by_label("vigil_watchdog_fires_total", "Watchdog fires, by reason",
                         counter, "reason", m.watchdog_fires));
  std::map<std::string, uint64_t> watchdog_events;
  uint64_t events = 0;
  for (auto& [kind, n] : m.events_by_kind) {
    events += n;
    if (is_watchdog_kind(kind))
      watchdog_events[kind] = n;
  }
  out.push_back(by_label("vigil_watchdog_events_total", "Watchdog events, by kind",
                         counter, "kind", watchdog_events));
  out.push_back(std::move(restarts));
  out.push_back(by_label("vigil_restarts_given_up_total",
                         "Restarts not made (restart_gave_up events), by reason",
                         counter, "reason", m.restarts_given_up));
  out.push_back(single("vigil_events_total", "Events the supervisor emitted", counter,
                       static_cast<double>(events)));
  out.push_back(single("vigil_event_seq", "The newest event's seq", gauge,
                       static_cast<double>(s.last_seq)));
  out.push_back(single("vigil_subscribers", "Subscribers of the event stream", gauge,
                       static_cast<double>(s.subscribers)));
  out.push_back(single("vigil_store_committed_seq",
                       "The newest event the store committed", gauge,
                       static_cast<double>(s.store_committed_seq)));
  out.push_back(single("vigil_store_pending",
                       "Events handed to the store, not committed yet", gauge,
                       static_cast<double>(s.store_pending)));
  out.push_back(single("vigil_store_dropped_total",
                       "Events lost to the store's buffer bound", counter,
                       static_cast<double>(s.store_dropped)));
  out.push_back(single("vigil_store_lag_seconds",
                       "The longest time from an event to its commit", gauge,
                       seconds(s.store_max_lag)));
  out.push_back(by_label("vigil_nodes", "Nodes with agents in the record, by state",
                         gauge, "state", m.nodes));
  out.push_back(single("vigil_supervisor_lag_seconds",
                       "How late the supervisor's own liveness timer ran last", gauge,
                       seconds(s.self_lag)));
  auto info = family("vigil_build_info", "The vigil version of the supervisor", gauge);
  info.metric.push_back(sample(1, {{"version", VIGIL_VERSION}}, gauge));
  out.push_back(std::move(info));
  return out;
}

std::string metrics_text(const fleet_metrics& m) {
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, metric_families(m));
  return out.str();
}

} // namespace vigil
