#include "speed.hpp"

namespace vigil::sim {

duration scaled(duration d, double speed) {
  return duration{static_cast<int64_t>(static_cast<double>(d.count()) / speed)};
}

namespace {

void scale(std::optional<duration>& d, double speed) {
  if (d)
    d = scaled(*d, speed);
}

void scale(heartbeat_settings& x, double speed) {
  x.interval = scaled(x.interval, speed);
  x.timeout = scaled(x.timeout, speed);
  x.check_interval = scaled(x.check_interval, speed);
  x.lag_grace = scaled(x.lag_grace, speed);
  x.lateness_cap = scaled(x.lateness_cap, speed);
}

void scale(watchdog_settings& x, double speed) {
  for (auto* d : {&x.idle_timeout, &x.max_session, &x.max_waiting_on_child,
                  &x.max_waiting_on_child_no_progress, &x.suspect_waiting_on_child,
                  &x.drain_window, &x.status_interval})
    scale(*d, speed);
}

} // namespace

scenario faster(const scenario& s, double speed) {
  auto x = s;
  auto& sup = x.config.supervisor;
  scale(sup.heartbeat, speed);
  scale(sup.watchdog, speed);
  for (auto& [type, ts] : sup.types) {
    scale(ts.heartbeat, speed);
    scale(ts.watchdog, speed);
  }
  sup.retention = scaled(sup.retention, speed);
  x.config.agent.heartbeat_interval = scaled(x.config.agent.heartbeat_interval, speed);
  x.config.agent.default_recovery = scaled(x.config.agent.default_recovery, speed);
  x.config.agent.activity_report_interval =
      scaled(x.config.agent.activity_report_interval, speed);
  for (auto& a : x.timeline) {
    a.at = scaled(a.at, speed);
    scale(a.run_for, speed);
    scale(a.activity_every, speed);
    scale(a.retry_after, speed);
  }
  for (auto& e : x.expectations) {
    e.at = scaled(e.at, speed);
    scale(e.event_at, speed);
    e.tolerance = scaled(e.tolerance, speed);
    if (e.between)
      e.between = std::make_pair(scaled(e.between->first, speed),
                                 scaled(e.between->second, speed));
  }
  x.until = scaled(x.until, speed);
  return x;
}

} // namespace vigil::sim
