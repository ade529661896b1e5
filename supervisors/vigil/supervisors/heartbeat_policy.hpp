// Liveness of one agent from its heartbeats (DESIGN §5), over injected time.
#pragma once

#include <cstdint>

#include "vigil/config/heartbeat_settings.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// What a due liveness check found.
enum class liveness : uint8_t {
  alive,    ///< Not due (a newer beat moved the deadline) or paused.
  missed,   ///< One more beat missed; `missed()` tells how many.
  offline,  ///< `max_missed` reached: declare the agent offline.
  grace,    ///< Would be offline, but the check ran late by more than `lag_grace`:
            ///< the supervisor itself was starved, so it waits one more
            ///< `check_interval` (DESIGN §4) before deciding.
  deferred, ///< A miss was due, but the agent's node reports its beats run late:
            ///< the miss counts that much later (DESIGN §14); `next_deadline()`
            ///< says when.
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

  /// Counts a miss once due (see `liveness`). `node_lateness`: how late the agent's
  /// node says its beats run right now (zero when it is not overloaded; the caller
  /// caps it). A miss due at `d` then counts at `d + node_lateness`, or at `d + `
  /// whatever larger lateness the node reports by then; the lateness it reported when
  /// the check was deferred is waited out even if it recovers sooner.
  liveness check(time_point now, duration node_lateness = duration::zero()) noexcept;

  /// How late the check that returned `grace` ran.
  duration lag() const noexcept { return lag_; }

  int missed() const noexcept { return missed_; }

  bool paused() const noexcept { return paused_; }

  time_point last_beat() const noexcept { return last_beat_; }

  const heartbeat_settings& settings() const noexcept { return *cfg_; }

private:
  /// Why the next check is later than the next miss: a record holds a million of
  /// these, so one time point serves both holds.
  enum class hold : uint8_t { none, grace, deferred };

  /// When the next miss is due, holds aside.
  time_point miss_due() const noexcept;

  const heartbeat_settings* cfg_;
  time_point last_beat_;
  time_point hold_until_; ///< Meaningful while held.
  duration lag_{0};
  int missed_ = 0;
  bool paused_ = false;
  hold hold_ = hold::none;
};

/// @relates liveness
const char* to_string(liveness x) noexcept;

} // namespace vigil
