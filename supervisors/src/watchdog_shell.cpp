// The supervisor's side of the stall watchdog: arming with work, one delayed message at
// the policy's next deadline, notes broadcast as events, fires ending the agent.
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil::detail {

namespace {

event_kind kind_of(watchdog_signal x) {
  switch (x) {
  case watchdog_signal::entered:
    return event_kind::entered;
  case watchdog_signal::progress:
    return event_kind::progress;
  case watchdog_signal::suspected_frozen:
    return event_kind::suspected_frozen;
  case watchdog_signal::exited:
    return event_kind::exited;
  case watchdog_signal::hard_stop:
    return event_kind::hard_stop;
  case watchdog_signal::fire:
    break;
  }
  return event_kind::watchdog;
}

} // namespace

bool publish_notes(self_ptr self, agent_record& rec,
                   std::vector<watchdog_note>& notes) {
  auto& log = *self->state.log;
  std::string fired; // the fire reason, if any
  for (auto& n : notes) {
    auto e = event_for(rec, kind_of(n.signal), n.at);
    e.waited = n.waited;
    e.details = std::move(n.details);
    if (n.reason) {
      e.reason = to_string(*n.reason);
      fired = e.reason;
    }
    switch (n.signal) {
    case watchdog_signal::suspected_frozen:
      log_limited(self, spdlog::level::warn, "watchdog",
                  "agent {} suspected frozen after {} waiting on children: {}", rec.id,
                  format_duration(n.waited), e.details);
      break;
    case watchdog_signal::fire:
      log_limited(self, spdlog::level::err, "watchdog",
                  "agent {}: watchdog fired ({}){}", rec.id, e.reason,
                  n.waited > duration::zero()
                      ? ", " + format_duration(n.waited) + " waiting on children in all"
                      : std::string{});
      break;
    case watchdog_signal::progress:
      log.debug("agent {} still waiting on children ({})", rec.id,
                format_duration(n.waited));
      break;
    default:
      log_limited(self, spdlog::level::info, "watchdog",
                  "agent {}: watchdog {} ({} waiting on children)", rec.id,
                  to_string(n.signal), format_duration(n.waited));
    }
    emit(self, std::move(e));
  }
  notes.clear();
  if (fired.empty())
    return true;
  auto why = "watchdog:" + fired;
  // The policy has fired: the nested apply finds nothing more due and disarms it.
  apply(self, rec, change{agent_state::failed, why, why});
  if (rec.owner)
    end_agent_actor(rec.owner, make_error(errc::agent_failed, rec.id, why));
  return false;
}

bool run_watchdog(self_ptr self, agent_record& rec, time_point now) {
  if (!rec.watchdog)
    return true;
  std::vector<watchdog_note> notes;
  rec.watchdog->advance(now, notes);
  if (!publish_notes(self, rec, notes))
    return false;
  ensure_watchdog_timer(self, rec);
  return true;
}

void ensure_watchdog_timer(self_ptr self, agent_record& rec) {
  if (!rec.watchdog)
    return;
  auto due = rec.watchdog->next_deadline();
  if (due >= rec.watchdog_due) // never (max), or the pending timer comes first
    return;
  rec.watchdog_due = due;
  self->delayed_send(self, due - self->clock().now(), watchdog_atom::value, rec.key,
                     due);
}

} // namespace vigil::detail
