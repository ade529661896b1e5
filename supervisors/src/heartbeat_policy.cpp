#include "vigil/supervisors/heartbeat_policy.hpp"

namespace vigil {

heartbeat_policy::heartbeat_policy(const heartbeat_settings& cfg,
                                   time_point registered_at) noexcept
    : cfg_(&cfg), last_beat_(registered_at) {}

void heartbeat_policy::beat(time_point now) noexcept {
  last_beat_ = now;
  missed_ = 0;
  in_grace_ = false;
}

void heartbeat_policy::pause() noexcept {
  paused_ = true;
}

void heartbeat_policy::resume(time_point now) noexcept {
  paused_ = false;
  beat(now);
}

time_point heartbeat_policy::next_deadline() const noexcept {
  if (paused_)
    return time_point::max();
  if (in_grace_)
    return grace_until_;
  return last_beat_ + cfg_->timeout + missed_ * cfg_->check_interval;
}

liveness heartbeat_policy::check(time_point now) noexcept {
  auto due = next_deadline();
  if (paused_ || now < due)
    return liveness::alive;
  if (in_grace_) { // the extra interval ran out and still no beat
    in_grace_ = false;
    ++missed_;
    return liveness::offline;
  }
  if (missed_ + 1 >= cfg_->max_missed && now - due > cfg_->lag_grace) {
    // Lifeguard's lesson: our lateness is no evidence against the agent.
    lag_ = now - due;
    in_grace_ = true;
    grace_until_ = now + cfg_->check_interval;
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
  }
  return "?";
}

} // namespace vigil
