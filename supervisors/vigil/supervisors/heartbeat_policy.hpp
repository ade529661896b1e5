// Liveness of one agent from its heartbeats (DESIGN §5), over injected time.
#pragma once

#include <cstdint>

#include "vigil/config/heartbeat_settings.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// What a due liveness check found.
enum class liveness : uint8_t {
  alive,   ///< Not due (a newer beat moved the deadline) or paused.
  missed,  ///< One more beat missed; `missed()` tells how many.
  offline, ///< `max_missed` reached: declare the agent offline.
  grace,   ///< Would be offline, but the check ran late by more than `lag_grace`:
           ///< the supervisor itself was starved, so it waits one more
           ///< `check_interval` (DESIGN §4) before deciding.
};

/// Counts the missed heartbeats of one agent. Holds no clock and no timer: the owner
/// asks `next_deadline()`, arms one delayed message for it, and calls `check` when it
/// fires. A beat only stores a time (O(1)); the deadline message re-arms lazily.
///
/// The k-th miss is due at `last_beat + timeout + (k - 1) * check_interval`, so
/// offline is declared at `last_beat + timeout + (max_missed - 1) * check_interval`.
class heartbeat_policy {
public:
  /// Registration counts as the first beat. `cfg` must outlive the policy.
  heartbeat_policy(const heartbeat_settings& cfg, time_point registered_at) noexcept;

  /// A beat arrived: resets the count.
  void beat(time_point now) noexcept;

  /// Stops counting (an agent deliberately quiet).
  void pause() noexcept;

  /// Counts again, from a fresh beat at `now`.
  void resume(time_point now) noexcept;

  /// When `check` is due next; `time_point::max()` while paused.
  time_point next_deadline() const noexcept;

  /// Counts a miss once due (see `liveness`).
  liveness check(time_point now) noexcept;

  /// How late the check that returned `grace` ran.
  duration lag() const noexcept { return lag_; }

  int missed() const noexcept { return missed_; }

  bool paused() const noexcept { return paused_; }

  time_point last_beat() const noexcept { return last_beat_; }

  const heartbeat_settings& settings() const noexcept { return *cfg_; }

private:
  const heartbeat_settings* cfg_;
  time_point last_beat_;
  time_point grace_until_; ///< Meaningful while in_grace_.
  duration lag_{0};
  int missed_ = 0;
  bool paused_ = false;
  bool in_grace_ = false;
};

/// @relates liveness
const char* to_string(liveness x) noexcept;

} // namespace vigil
