// Capped exponential backoff: how long to wait before each retry of something that
// keeps failing (a store's commit, an uplink's connect).
#pragma once

#include <cstdint>

#include "vigil/messages/time.hpp"

namespace vigil {

/// The pauses `min`, 2 `min`, 4 `min`, ... up to `max` between the retries of one
/// failing thing (DESIGN §10). Holds no clock and arms no timer: the caller waits
/// what `next()` says, in real or virtual time.
class backoff {
public:
  /// `min` is raised to 1 ns and `max` to `min` when they are less.
  backoff(duration min, duration max) noexcept;

  /// The pause before the next retry, counting a failure: `min` after a `reset`, then
  /// twice the previous one, never more than `max`.
  duration next() noexcept;

  /// It works again: the next failure waits `min` again.
  void reset() noexcept;

  /// `next()` calls since the last `reset`: the failures in a row.
  uint32_t failures() const noexcept { return failures_; }

private:
  duration min_;
  duration max_;
  duration pause_; ///< What `next()` returns next.
  uint32_t failures_ = 0;
};

} // namespace vigil
