// When an ended agent starts again (DESIGN §12), over injected time: restart modes,
// backoff with jitter, reset after a good run, the intensity limit, and the
// supervisor-wide token bucket. No actors, no timers: the supervisor arms them.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/config/restart_settings.hpp"
#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// What the supervisor remembers about the restarts of one id, across its lives.
struct restart_history {
  /// Restarts in a row since the count last started over (the next is this + 1).
  uint32_t in_a_row = 0;
  /// Restarts made over all lives of the id (Kubernetes' restartCount).
  uint32_t restarts = 0;
  /// When its recent restarts were decided, oldest first: only those the intensity
  /// window can still see (at most `intensity.max` of them).
  std::vector<time_point> recent;
};

/// What an end calls for.
struct restart_decision {
  enum class outcome : uint8_t {
    none,      ///< The policy does not restart after this end.
    scheduled, ///< Restart at `due` (attempt `attempt`, after `delay`).
    gave_up,   ///< It would restart, but the intensity limit says no (`reason`).
  };
  outcome what = outcome::none;
  uint32_t attempt = 0; ///< n: 1 for the first restart in a row.
  duration delay{0};
  time_point due;
  std::string reason; ///< gave_up: "intensity".
};

/// The restart policy of one agent type. Holds no clock: the caller passes the
/// times and arms the timers.
class restart_policy {
public:
  /// `cfg` must outlive the policy.
  explicit restart_policy(const restart_settings& cfg) noexcept : cfg_(&cfg) {}

  /// Whether the mode restarts after an end in `to` (a terminal state) for `reason`.
  bool wants(agent_state to, std::string_view reason) const noexcept;

  /// The delay of the `n`-th restart in a row before jitter:
  /// `min(max, min * factor^(n-1))`, exact in nanoseconds.
  duration nominal_delay(uint32_t n) const noexcept;

  /// A life that registered at `registered_at` ended `now` in `to` for `reason`.
  /// Decides whether, when and as which attempt it restarts, and notes the decision
  /// in `h`: the count in a row starts over when the life ran `reset_after`; a
  /// scheduled restart counts in the intensity window from `now` (a restart that
  /// would be the (max+1)-th within `period`, i.e. after `now - period` exclusive,
  /// gives up). The jitter draw comes from `rng` (seed it for repeatable runs).
  restart_decision on_end(restart_history& h, agent_state to, std::string_view reason,
                          time_point registered_at, time_point now,
                          std::mt19937_64& rng) const;

private:
  const restart_settings* cfg_;
};

/// The supervisor-wide token bucket (`restart_rate`), exact in nanoseconds: `burst`
/// tokens at first, one more every `1s / per_second` (rounded to the nanosecond),
/// never more than `burst`.
class restart_rate_limiter {
public:
  explicit restart_rate_limiter(const restart_rate_settings& cfg) noexcept;

  /// Takes a token at `now`: false when none is left.
  bool try_take(time_point now) noexcept;

  /// The earliest time at or after `now` when `try_take` succeeds.
  time_point next_token(time_point now) const noexcept;

  /// The time between two tokens.
  duration interval() const noexcept { return interval_; }

private:
  duration interval_;
  duration burst_span_; ///< (burst - 1) * interval.
  /// The theoretical arrival time (GCRA): a token is left at `t` when
  /// `max(tat_, t) - t <= burst_span_`.
  time_point tat_ = time_point::min();
};

} // namespace vigil
