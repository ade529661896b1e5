#include "vigil/supervisors/heartbeat_policy.hpp"

namespace vigil {

heartbeat_policy::heartbeat_policy(const heartbeat_settings& cfg,
                                   time_point registered_at) noexcept
    : cfg_(&cfg), last_beat_(registered_at) {}

void heartbeat_policy::beat(time_point now) noexcept {
  last_beat_ = now;
  missed_ = 0;
  hold_ = hold::none;
}

void heartbeat_policy::pause() noexcept {
  paused_ = true;
}

void heartbeat_policy::resume(time_point now) noexcept {
  paused_ = false;
  beat(now);
}

time_point heartbeat_policy::miss_due() const noexcept {
  return last_beat_ + cfg_->timeout + missed_ * cfg_->check_interval;
}

time_point heartbeat_policy::next_deadline() const noexcept {
  if (paused_)
    return time_point::max();
  return hold_ == hold::none ? miss_due() : hold_until_;
}

liveness heartbeat_policy::check(time_point now, duration node_lateness) noexcept {
  auto wake = next_deadline();
  if (paused_ || now < wake)
    return liveness::alive;
  if (hold_ == hold::grace) { // the extra interval ran out and still no beat
    hold_ = hold::none;
    ++missed_;
    return liveness::offline;
  }
  auto due = miss_due();
  if (node_lateness > duration::zero() && now < due + node_lateness) {
    // Lifeguard's lesson, node-wide: the node's lateness is no evidence against it.
    hold_ = hold::deferred;
    hold_until_ = due + node_lateness;
    return liveness::deferred;
  }
  hold_ = hold::none;
  // How late this check ran after it was due (after the deferral, if any).
  if (missed_ + 1 >= cfg_->max_missed && now - wake > cfg_->lag_grace) {
    // Lifeguard's lesson: our lateness is no evidence against the agent.
    lag_ = now - wake;
    hold_ = hold::grace;
    hold_until_ = now + cfg_->check_interval;
    return liveness::grace;
  }
  ++missed_;
  return missed_ >= cfg_->max_missed ? liveness::offline : liveness::missed;
}

const char* to_string(liveness x) noexcept {
  switch (x) {
  case liveness::alive:
    return "alive";
  case liveness::missed:
    return "missed";
  case liveness::offline:
    return "offline";
  case liveness::grace:
    return "grace";
  case liveness::deferred:
    return "deferred";
  }
  return "?";
}

} // namespace vigil
