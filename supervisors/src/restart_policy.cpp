// The restart policy (DESIGN §12): modes, backoff with jitter, reset, the intensity
// window and the token bucket, in integer nanoseconds wherever a boundary is tested.
#include "vigil/supervisors/restart_policy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil {

namespace {

using rep = duration::rep;

constexpr rep max_rep = std::numeric_limits<rep>::max();

} // namespace

bool restart_policy::wants(agent_state to, std::string_view reason) const noexcept {
  if (!is_terminal(to))
    return false;
  switch (cfg_->policy) {
  case restart_mode::temporary:
    return false;
  case restart_mode::transient:
    return to == agent_state::failed;
  case restart_mode::permanent:
    // An operator's kill is final, and so is its node's orderly shutdown.
    return reason != "kill_command" && reason != "node_shutdown";
  }
  return false;
}

duration restart_policy::nominal_delay(uint32_t n) const noexcept {
  auto& b = cfg_->backoff;
  auto lo = std::max(b.min.count(), rep{0});
  auto hi = std::max(b.max.count(), rep{0});
  if (lo >= hi || n <= 1)
    return duration{std::min(lo, hi)};
  // long double holds 64 mantissa bits: min * 2^k is exact up to the cap, and a huge
  // n only makes the power infinite, which the cap absorbs.
  auto factor = std::max(static_cast<long double>(b.factor), 1.0L);
  auto d =
      static_cast<long double>(lo) * std::pow(factor, static_cast<long double>(n - 1));
  if (!(d < static_cast<long double>(hi)))
    return duration{hi};
  return duration{static_cast<rep>(std::llround(d))};
}

restart_decision restart_policy::on_end(restart_history& h, agent_state to,
                                        std::string_view reason,
                                        time_point registered_at, time_point now,
                                        std::mt19937_64& rng) const {
  restart_decision result;
  if (!wants(to, reason))
    return result;
  if (cfg_->reset_after && now - registered_at >= *cfg_->reset_after)
    h.in_a_row = 0; // a good run: the backoff starts over
  if (auto& lim = cfg_->intensity) {
    // The window is (now - period, now]: a decision exactly `period` ago has left it.
    auto edge = now - lim->period;
    h.recent.erase(std::remove_if(h.recent.begin(), h.recent.end(),
                                  [&](time_point t) { return t <= edge; }),
                   h.recent.end());
    if (h.recent.size() >= lim->max) {
      result.what = restart_decision::outcome::gave_up;
      result.reason = "intensity";
      return result;
    }
  }
  auto n =
      h.in_a_row == std::numeric_limits<uint32_t>::max() ? h.in_a_row : h.in_a_row + 1;
  auto d = nominal_delay(n);
  auto jitter = cfg_->backoff.jitter;
  if (jitter > 0 && d.count() > 0) {
    auto low =
        static_cast<rep>(std::llround(static_cast<long double>(d.count()) *
                                      (1.0L - static_cast<long double>(jitter))));
    low = std::clamp(low, rep{0}, d.count());
    std::uniform_int_distribution<rep> draw{low, d.count()};
    d = duration{draw(rng)};
  }
  h.in_a_row = n;
  if (auto& lim = cfg_->intensity) {
    h.recent.push_back(now);
    if (h.recent.size() > lim->max) // only what the window can still count
      h.recent.erase(h.recent.begin(),
                     h.recent.begin() +
                         static_cast<std::ptrdiff_t>(h.recent.size() - lim->max));
  }
  result.what = restart_decision::outcome::scheduled;
  result.attempt = n;
  result.delay = d;
  // Saturate: a delay near the end of the clock restarts at its end, not before now.
  result.due = now.time_since_epoch().count() > max_rep - d.count() ? time_point::max()
                                                                    : now + d;
  return result;
}

restart_rate_limiter::restart_rate_limiter(const restart_rate_settings& cfg) noexcept {
  auto per_second = cfg.per_second > 0 ? static_cast<long double>(cfg.per_second)
                                       : std::numeric_limits<long double>::min();
  auto burst = std::max<uint32_t>(cfg.burst, 1);
  // Bounded so that `burst * interval` cannot overflow.
  auto cap = static_cast<long double>(max_rep / 4) / burst;
  auto ns = std::min(1e9L / per_second, cap);
  interval_ = duration{std::max<rep>(static_cast<rep>(std::llround(ns)), 1)};
  burst_span_ = interval_ * (burst - 1);
}

bool restart_rate_limiter::try_take(time_point now) noexcept {
  auto tat = std::max(tat_, now);
  if (tat - now > burst_span_)
    return false;
  tat_ = tat + interval_;
  return true;
}

time_point restart_rate_limiter::next_token(time_point now) const noexcept {
  auto tat = std::max(tat_, now);
  if (tat - now <= burst_span_)
    return now;
  return tat - burst_span_;
}

} // namespace vigil
