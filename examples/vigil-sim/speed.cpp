#include "speed.hpp"

#include <cmath>
#include <limits>

namespace vigil::sim {

duration scaled(duration d, double factor) {
  // A span too long for 64 bits of nanoseconds (292 years; 200 days at --speed
  // 0.0001) stays the longest one instead of wrapping around to a negative one.
  constexpr auto limit = static_cast<double>(std::numeric_limits<duration::rep>::max());
  auto x = static_cast<double>(d.count()) * factor;
  if (!(x < limit))
    return duration::max();
  if (!(x > -limit))
    return duration::min();
  return duration{std::llround(x)};
}

namespace {

// Into the faster run: every span `speed` times shorter.
duration shorter(duration d, double speed) {
  return scaled(d, 1.0 / speed);
}

void scale(std::optional<duration>& d, double speed) {
  if (d)
    d = shorter(*d, speed);
}

void scale(heartbeat_settings& x, double speed) {
  x.interval = shorter(x.interval, speed);
  x.timeout = shorter(x.timeout, speed);
  x.check_interval = shorter(x.check_interval, speed);
  x.lag_grace = shorter(x.lag_grace, speed);
  x.lateness_cap = shorter(x.lateness_cap, speed);
}

void scale(duration& d, double speed) {
  d = shorter(d, speed);
}

void scale(int&, double) {
  // a count (max_missed), not a span
}

void scale(double&, double) {
  // a ratio (backoff factor, jitter), not a span
}

void scale(restart_mode&, double) {}

void scale(restart_placement&, double) {}

void scale(std::optional<restart_intensity>& x, double speed) {
  if (x)
    x->period = shorter(x->period, speed); // the count stays
}

void scale(restart_settings& x, double speed) {
  scale(x.backoff.min, speed);
  scale(x.backoff.max, speed);
  scale(x.reset_after, speed);
  scale(x.intensity, speed);
  scale(x.wait_for_spawner, speed);
}

void scale(watchdog_settings& x, double speed) {
  for (auto* d : {&x.idle_timeout, &x.max_session, &x.max_waiting_on_child,
                  &x.max_waiting_on_child_no_progress, &x.suspect_waiting_on_child,
                  &x.drain_window, &x.status_interval})
    scale(*d, speed);
}

// The keys a type sets; the ones it inherits follow the scaled globals.
template <class Overrides>
void scale_own(Overrides& own, double speed) {
  Overrides::each_key([&](const char*, auto, auto own_key) {
    if (auto& x = own.*own_key)
      scale(*x, speed);
  });
}

} // namespace

scenario faster(const scenario& s, double speed) {
  auto x = s;
  auto& sup = x.config.supervisor;
  scale(sup.heartbeat, speed);
  scale(sup.watchdog, speed);
  scale(sup.restart, speed);
  if (sup.restart_rate) // tokens come `speed` times as often
    sup.restart_rate->per_second *= speed;
  for (auto& [type, own] : sup.types) {
    scale_own(own.heartbeat, speed);
    scale_own(own.watchdog, speed);
    scale_own(own.restart, speed);
    scale_own(own.restart.backoff, speed);
    if (own.offline_retention)
      scale(*own.offline_retention, speed);
  }
  sup.retention = shorter(sup.retention, speed);
  scale(sup.offline_retention, speed);
  x.config.agent.heartbeat_interval = shorter(x.config.agent.heartbeat_interval, speed);
  x.config.agent.default_recovery = shorter(x.config.agent.default_recovery, speed);
  x.config.agent.activity_report_interval =
      shorter(x.config.agent.activity_report_interval, speed);
  for (auto& a : x.timeline) {
    a.at = shorter(a.at, speed);
    scale(a.run_for, speed);
    scale(a.activity_every, speed);
    scale(a.retry_after, speed);
  }
  for (auto& e : x.expectations) {
    e.at = shorter(e.at, speed);
    scale(e.event_at, speed);
    e.tolerance = shorter(e.tolerance, speed);
    if (e.between)
      e.between = std::make_pair(shorter(e.between->first, speed),
                                 shorter(e.between->second, speed));
  }
  x.until = shorter(x.until, speed);
  return x;
}

event slower(event e, time_point start, double speed) {
  e.at = start + scaled(e.at - start, speed);
  if (e.recovery_at)
    e.recovery_at = start + scaled(*e.recovery_at - start, speed);
  e.waited = scaled(e.waited, speed);
  e.delay = scaled(e.delay, speed);
  if (e.due)
    e.due = start + scaled(*e.due - start, speed);
  return e;
}

} // namespace vigil::sim
