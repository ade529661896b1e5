#include "vigil/supervisors/watchdog_policy.hpp"

#include <algorithm>

#include "vigil/messages/detail/words.hpp"

namespace vigil {

namespace {

constexpr auto never = time_point::max();

constexpr detail::word<watchdog_signal> watchdog_signal_words[] = {
    {watchdog_signal::entered, "entered"},
    {watchdog_signal::progress, "progress"},
    {watchdog_signal::suspected_frozen, "suspected_frozen"},
    {watchdog_signal::exited, "exited"},
    {watchdog_signal::hard_stop, "hard_stop"},
    {watchdog_signal::fire, "fire"},
};

static_assert(detail::in_enum_order(watchdog_signal_words));

} // namespace

std::string to_string(watchdog_signal x) {
  return detail::word_of(watchdog_signal_words, x, "watchdog_signal");
}

watchdog_policy::watchdog_policy(const watchdog_settings& cfg) noexcept : cfg_(&cfg) {}

void watchdog_policy::arm(time_point now) {
  mode_ = mode::working;
  session_start_ = now;
  last_activity_ = now;
  clock_ = now;
  waited_total_ = duration::zero();
  suspect_noted_ = false;
  children_present_ = false;
  latest_ = child_report{};
  fired_ = caf::none;
}

void watchdog_policy::disarm(time_point now, std::vector<watchdog_note>& out) {
  advance(now, out);
  if (mode_ == mode::waiting)
    end_run(now, out);
  if (mode_ != mode::fired)
    mode_ = mode::disarmed;
}

void watchdog_policy::activity(time_point now, std::vector<watchdog_note>& out) {
  now = std::max(now, clock_); // a report older than our last look counts at that look
  advance(now, out);
  switch (mode_) {
  case mode::waiting:
    end_run(now, out); // its time joins the total, even if the child is still there
    [[fallthrough]];
  case mode::working:
  case mode::draining:
    mode_ = mode::working;
    last_activity_ = now;
    break;
  default:
    break;
  }
}

void watchdog_policy::children(time_point now, const child_report& report,
                               std::vector<watchdog_note>& out) {
  now = std::max(now, clock_);
  advance(now, out);
  if (mode_ == mode::disarmed || mode_ == mode::fired)
    return;
  latest_ = report;
  children_present_ = report.children > 0;
  if (mode_ == mode::waiting && !children_present_) {
    end_run(now, out); // the last child exited: a full drain window starts now
    mode_ = mode::draining;
    drain_start_ = now;
  } else if (mode_ == mode::draining && children_present_) {
    start_run(now, out); // children inside the drain window: back to deferral
  }
  // The evidence may have lowered the ceiling below the total: decide now.
  advance(now, out);
}

void watchdog_policy::advance(time_point now, std::vector<watchdog_note>& out) {
  while (step(now, out)) {
    // each step handles one deadline at its own instant
  }
  clock_ = std::max(clock_, now);
}

bool watchdog_policy::step(time_point now, std::vector<watchdog_note>& out) {
  auto due = next_deadline();
  if (due > now)
    return false;
  // A deadline that moved into the past (the evidence changed) is due when we look.
  auto at = std::max(due, clock_);
  clock_ = at;
  if (session_deadline() <= due) {
    fire(at, fire_reason::session_ceiling_exceeded, out);
  } else if (ceiling_deadline() <= due) {
    out.push_back(note(watchdog_signal::hard_stop, at));
    fire(at, fire_reason::children_persist_too_long, out);
  } else if (suspect_deadline() <= due) {
    suspect_noted_ = true;
    auto n = note(watchdog_signal::suspected_frozen, at);
    n.details = summarize(latest_);
    out.push_back(std::move(n));
  } else if (progress_deadline() <= due) {
    out.push_back(note(watchdog_signal::progress, at));
    next_progress_ += *cfg_->status_interval;
  } else if (idle_deadline() <= due) {
    if (children_present_) {
      start_run(at, out);
    } else {
      mode_ = mode::draining;
      drain_start_ = at;
    }
  } else { // drain_deadline() <= due
    fire(at, fire_reason::no_output_deadline, out);
  }
  return true;
}

time_point watchdog_policy::next_deadline() const noexcept {
  return std::min({session_deadline(), idle_deadline(), ceiling_deadline(),
                   suspect_deadline(), progress_deadline(), drain_deadline()});
}

duration watchdog_policy::waited(time_point now) const noexcept {
  if (mode_ == mode::waiting)
    return waited_total_ + (now - run_start_);
  return waited_total_;
}

caf::optional<duration> watchdog_policy::ceiling() const noexcept {
  if (without_progress(latest_.evidence) && cfg_->max_waiting_on_child_no_progress)
    return *cfg_->max_waiting_on_child_no_progress;
  if (cfg_->max_waiting_on_child)
    return *cfg_->max_waiting_on_child;
  return caf::none;
}

time_point watchdog_policy::session_deadline() const noexcept {
  bool live =
      mode_ == mode::working || mode_ == mode::waiting || mode_ == mode::draining;
  return live && cfg_->max_session ? session_start_ + *cfg_->max_session : never;
}

time_point watchdog_policy::idle_deadline() const noexcept {
  return mode_ == mode::working && cfg_->idle_timeout
             ? last_activity_ + *cfg_->idle_timeout
             : never;
}

time_point watchdog_policy::ceiling_deadline() const noexcept {
  auto c = ceiling();
  if (mode_ != mode::waiting || !c)
    return never;
  return run_start_ + std::max(*c - waited_total_, duration::zero());
}

time_point watchdog_policy::suspect_deadline() const noexcept {
  auto& s = cfg_->suspect_waiting_on_child;
  if (mode_ != mode::waiting || !s || suspect_noted_)
    return never;
  return run_start_ + std::max(*s - waited_total_, duration::zero());
}

time_point watchdog_policy::progress_deadline() const noexcept {
  return mode_ == mode::waiting && cfg_->status_interval ? next_progress_ : never;
}

time_point watchdog_policy::drain_deadline() const noexcept {
  return mode_ == mode::draining
             ? drain_start_ + cfg_->drain_window.value_or(duration::zero())
             : never;
}

void watchdog_policy::start_run(time_point t, std::vector<watchdog_note>& out) {
  mode_ = mode::waiting;
  run_start_ = t;
  suspect_noted_ = false; // once per run
  if (cfg_->status_interval)
    next_progress_ = t + *cfg_->status_interval;
  out.push_back(note(watchdog_signal::entered, t));
}

void watchdog_policy::end_run(time_point t, std::vector<watchdog_note>& out) {
  waited_total_ += t - run_start_;
  mode_ = mode::working;
  out.push_back(note(watchdog_signal::exited, t));
}

void watchdog_policy::fire(time_point t, fire_reason why,
                           std::vector<watchdog_note>& out) {
  auto n = note(watchdog_signal::fire, t);
  n.reason = why;
  fired_ = why;
  mode_ = mode::fired;
  out.push_back(std::move(n));
}

watchdog_note watchdog_policy::note(watchdog_signal s, time_point t) const {
  return watchdog_note{s, t, waited(t), {}, caf::none};
}

std::string summarize(const child_report& x) {
  std::string result = "evidence " + to_string(x.evidence) + "; " +
                       std::to_string(x.children) +
                       (x.children == 1 ? " child" : " children");
  if (x.workspace_events)
    result +=
        *x.workspace_events == 0
            ? "; workspace quiet (0 events)"
            : "; workspace active (" + std::to_string(*x.workspace_events) + " events)";
  if (x.scoped_children_active) {
    result += *x.scoped_children_active > 0 ? "; scoped child active ("
                                            : "; no scoped child active (";
    result += std::to_string(*x.scoped_children_active);
    if (x.scoped_children)
      result += " of " + std::to_string(*x.scoped_children);
    result += ")";
  }
  if (x.oldest_child_age)
    result += "; oldest child " + format_duration(*x.oldest_child_age);
  if (x.terminal_child_events)
    result += "; lifecycle-only activity (" + std::to_string(*x.terminal_child_events) +
              " events)";
  return result;
}

} // namespace vigil
