// The stall watchdog of one working agent (DESIGN §6), over injected time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/optional.hpp>

#include "vigil/config/watchdog_settings.hpp"
#include "vigil/messages/agent_messages.hpp"
#include "vigil/messages/fire_reason.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// What the watchdog reports along the way (`fire` last, if at all).
enum class watchdog_signal : uint8_t {
  entered,
  progress,
  suspected_frozen,
  exited,
  hard_stop,
  fire,
};

/// @relates watchdog_signal
std::string to_string(watchdog_signal x);

/// One thing the watchdog has to say, at the instant it became true.
struct watchdog_note {
  watchdog_signal signal;
  time_point at;
  duration waited;                   ///< Total waiting-on-child time at `at`.
  std::string details;               ///< suspected_frozen: the evidence summary.
  caf::optional<fire_reason> reason; ///< fire only.
};

/// Watches one agent's work. Holds no clock and no timer: every call takes `now`,
/// first evaluates every deadline up to `now` at its own instant, then applies the
/// report; `next_deadline()` tells when a note can come next, so the owner arms
/// exactly one delayed message for it. Notes are appended to `out` in time order.
///
/// Rules (DESIGN §6, with its fine print): the session ceiling bounds the slot from its
/// start and is checked first. Silence for `idle_timeout` with children present starts
/// a waiting run; without children, a drain window (unset: none). Waiting time
/// accumulates over every run of the slot and never decays. The ceiling in force
/// follows the latest evidence: without progress, `max_waiting_on_child_no_progress`
/// when set; otherwise `max_waiting_on_child`; it is compared with the whole total.
/// At one instant: session ceiling, then waiting ceiling, then suspect threshold.
class watchdog_policy {
public:
  /// `cfg` must outlive the policy.
  explicit watchdog_policy(const watchdog_settings& cfg) noexcept;

  /// A slot started (counts as activity). Starts a fresh session.
  void arm(time_point now);

  /// The agent left its working states: a waiting run ends (`exited`); silence.
  void disarm(time_point now, std::vector<watchdog_note>& out);

  /// The work produced output at `now` (a time before the last evaluation counts as
  /// that evaluation's time).
  void activity(time_point now, std::vector<watchdog_note>& out);

  /// Children were reported at `now`.
  void children(time_point now, const child_report& report,
                std::vector<watchdog_note>& out);

  /// Evaluates every deadline up to `now`.
  void advance(time_point now, std::vector<watchdog_note>& out);

  /// When a note can come next; `time_point::max()` when never.
  time_point next_deadline() const noexcept;

  /// The reason, once the watchdog fired.
  caf::optional<fire_reason> fired() const noexcept { return fired_; }

  /// Total waiting-on-child time at `now` (the current run included).
  duration waited(time_point now) const noexcept;

private:
  enum class mode : uint8_t { disarmed, working, waiting, draining, fired };

  /// Handles the most urgent deadline due at or before `now`; false if none is.
  bool step(time_point now, std::vector<watchdog_note>& out);

  caf::optional<duration> ceiling() const noexcept;
  time_point session_deadline() const noexcept;
  time_point idle_deadline() const noexcept;
  time_point ceiling_deadline() const noexcept;
  time_point suspect_deadline() const noexcept;
  time_point progress_deadline() const noexcept;
  time_point drain_deadline() const noexcept;

  void start_run(time_point t, std::vector<watchdog_note>& out);
  void end_run(time_point t, std::vector<watchdog_note>& out);
  void fire(time_point t, fire_reason why, std::vector<watchdog_note>& out);
  watchdog_note note(watchdog_signal s, time_point t) const;

  const watchdog_settings* cfg_;
  mode mode_ = mode::disarmed;
  time_point clock_; ///< The latest instant evaluated.
  time_point session_start_;
  time_point last_activity_;
  time_point run_start_;     ///< Waiting.
  time_point next_progress_; ///< Waiting, with status_interval.
  time_point drain_start_;   ///< Draining.
  duration waited_total_{0}; ///< Finished runs of this session.
  bool suspect_noted_ = false;
  bool children_present_ = false;
  child_report latest_; ///< The latest child report, for evidence and summary.
  caf::optional<fire_reason> fired_;
};

/// A one-line summary of a child report's evidence, e.g. `evidence
/// fresh_heartbeat_only; 1 child; workspace quiet (0 events); scoped child active (1 of
/// 2); oldest child 12m; lifecycle-only activity (3 events)`.
std::string summarize(const child_report& x);

} // namespace vigil
