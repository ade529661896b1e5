// Local health (DESIGN §14): the lateness nodes report with their beats and the
// supervisor's own, so that a slow observer does not turn into false offline verdicts;
// and the figures `stats_atom` answers with, health among them.
#include <algorithm>

#include <spdlog/logger.h>

#include "supervisor_engine.hpp"

namespace vigil::detail {

duration stats_horizon(self_ptr self) {
  return std::max<duration>(self->state.cfg.heartbeat.lateness_cap,
                            std::chrono::seconds(10));
}

namespace {

/// Lateness for a person: to the millisecond ("2055ms", not "2054977589ns").
std::string ms_text(duration x) {
  return format_duration(std::chrono::round<std::chrono::milliseconds>(x));
}

} // namespace

void note_node_lateness(self_ptr self, const agent_record& rec, duration lateness,
                        time_point now) {
  auto& st = self->state;
  st.peak_node_lateness = std::max(st.peak_node_lateness, lateness);
  auto* node = rec.node.get();
  auto i = st.node_health.find(node);
  if (i == st.node_health.end()) {
    if (lateness == duration::zero())
      return; // on time, as ever: nothing to keep
    i = st.node_health.emplace(node, node_lateness{}).first;
  }
  auto& hb = st.cfg.heartbeat;
  auto& health = i->second;
  switch (health.report(lateness, hb.lag_grace, now)) {
  case node_lateness::change::entered:
    log_limited(self, spdlog::level::warn, "overload",
                "node {} is overloaded: its pacer reports its beats {} late (lag_grace "
                "{}); offline verdicts on its agents wait that long, at most {} "
                "(lateness_cap)",
                *node, ms_text(lateness), format_duration(hb.lag_grace),
                format_duration(hb.lateness_cap));
    break;
  case node_lateness::change::left:
    log_limited(self, spdlog::level::info, "overload",
                "node {} is no longer overloaded: its beats run {} late (worst {} "
                "over {})",
                *node, ms_text(lateness), ms_text(health.worst()),
                ms_text(now - health.since()));
    break;
  case node_lateness::change::none:
    break;
  }
}

duration node_deferral(self_ptr self, const agent_record& rec, time_point now) {
  auto& health = self->state.node_health;
  auto i = health.find(rec.node.get());
  if (i == health.end())
    return duration::zero();
  return i->second.deferral(now, rec.beats.settings().lateness_cap);
}

void note_self_lag(self_ptr self, duration lag, time_point now) {
  auto& st = self->state;
  auto& health = st.self_health;
  st.peak_self_lag = std::max(st.peak_self_lag, lag);
  auto grace = st.cfg.heartbeat.lag_grace;
  switch (health.report(lag, grace, now)) {
  case node_lateness::change::entered:
    st.log->warn("the supervisor is overloaded: its liveness timer ran {} late "
                 "(lag_grace {}); verdicts due meanwhile wait one more check interval",
                 ms_text(lag), format_duration(grace));
    break;
  case node_lateness::change::left:
    st.log->info("the supervisor is no longer overloaded: its liveness timer runs {} "
                 "late (worst {} over {})",
                 ms_text(lag), ms_text(health.worst()), ms_text(now - health.since()));
    break;
  case node_lateness::change::none:
    break;
  }
}

void fill_health_stats(self_ptr self, supervisor_stats& x) {
  auto& st = self->state;
  auto now = self->clock().now();
  auto horizon = stats_horizon(self);
  for (auto& [node, health] : st.node_health) {
    if (!health.fresh(now, horizon))
      continue;
    if (health.overloaded())
      ++x.overloaded_nodes;
    x.worst_node_lateness = std::max(x.worst_node_lateness, health.lateness());
  }
  x.peak_node_lateness = st.peak_node_lateness;
  x.self_lag = st.self_health.lateness();
  x.peak_self_lag = st.peak_self_lag;
  x.deferred_checks = st.deferred_checks;
}

supervisor_stats stats_of(self_ptr self) {
  auto& st = self->state;
  supervisor_stats x;
  x.agents = st.agents.size();
  x.subscribers = st.hub.subscribers();
  x.epoch = st.hub.epoch();
  x.last_seq = st.hub.last_seq();
  x.history = st.hub.history_size();
  for (auto& [id, sub] : st.subscribers)
    x.max_in_flight = std::max<uint64_t>(x.max_in_flight, st.hub.in_flight(id));
  x.liveness_timers = st.liveness_timers;
  x.heartbeat_timeouts = st.heartbeat_timeouts;
  fill_health_stats(self, x);
  x.beat_gaps_10ms = st.beat_gaps;
  auto& w = st.store_seen;
  x.store_accepted = st.store_accepted;
  x.store_committed = w.committed;
  x.store_committed_seq = w.committed_seq;
  x.store_pending = st.store_accepted - w.committed - w.dropped;
  x.store_dropped = w.dropped + st.store_shed;
  x.store_repairs = w.repairs;
  x.store_unrepaired = x.store_dropped - std::min(x.store_dropped, w.repaired_drops);
  x.store_failing = w.failing;
  x.store_max_lag = w.max_lag;
  fill_restart_stats(self, x);
  return x;
}

} // namespace vigil::detail
