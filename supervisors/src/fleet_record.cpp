// Changes to the fleet record and the events they produce.
#include <caf/actor_system.hpp>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"

namespace vigil::detail {

event event_for(const agent_record& rec, event_kind kind, time_point at) {
  event e;
  e.kind = kind;
  e.agent = rec.id;
  e.type = *rec.type;
  e.node = *rec.node;
  e.from = rec.state;
  e.to = rec.state;
  e.at = at;
  e.version = rec.version;
  return e;
}

namespace {

bool working(agent_state x) {
  return x == agent_state::busy || x == agent_state::on_call;
}

// DESIGN §6: the watchdog is disarmed when the agent leaves its working states
// (offline included: the supervisor hears no output then; a return to work arms a
// fresh session). Its notes (`exited`) come before the transition that ends the run.
void stop_watching(self_ptr self, agent_record& rec, agent_state to, time_point now) {
  if (!rec.watchdog || working(to))
    return;
  std::vector<watchdog_note> notes;
  rec.watchdog->disarm(now, notes);
  rec.watchdog.reset(); // a pending timer stays pending; it finds no policy then
  publish_notes(self, rec, notes);
}

} // namespace

void start_watching(self_ptr self, agent_record& rec, time_point now) {
  if (rec.watchdog || !working(rec.state) || !rec.watchdog_cfg ||
      !rec.watchdog_cfg->enabled())
    return;
  // Armed when a slot starts; the start counts as activity.
  rec.watchdog = std::make_unique<watchdog_policy>(*rec.watchdog_cfg);
  rec.watchdog->arm(now);
  ensure_watchdog_timer(self, rec);
}

void apply(self_ptr self, agent_record& rec, change c) {
  auto now = self->clock().now();
  // Deadlines due by now come first: a watchdog fire ends the agent before this change
  // (it then is terminal, and this change is moot).
  if (!run_watchdog(self, rec, now) || is_terminal(rec.state))
    return;
  stop_watching(self, rec, c.to, now);
  auto from = rec.state;
  self->state.metrics.count_state(rec.type, c.to, +1); // first: its type stays counted
  self->state.metrics.count_state(rec.type, from, -1);
  rec.state = c.to;
  ++rec.version;
  rec.reason = c.reason;
  if (phase_of(c.to) == agent_phase::running && rec.started_at == agent_record::none)
    rec.started_at = now;
  // Leaving exhausted clears recovery_at, but offline keeps it: an agent that comes
  // back still exhausted resumes the recovery time we knew.
  bool keeps_recovery =
      c.to == agent_state::offline ||
      (c.to == agent_state::exhausted && from == agent_state::offline);
  if (c.recovery_in)
    rec.recovery_at = now + *c.recovery_in;
  else if (!keeps_recovery)
    rec.recovery_at = agent_record::none;
  if (!c.error.empty())
    rec.set_last_error(c.error);
  auto e = event_for(rec, event_kind::transition, now);
  e.from = from;
  e.reason = std::move(c.reason);
  e.recovery_at = if_set(rec.recovery_at);
  e.error = std::move(c.error);
  if (!c.quiet)
    log_limited(self, spdlog::level::info, "transition",
                "agent {}: {} -> {} ({}), version {}", rec.id, to_string(from),
                to_string(c.to), e.reason, rec.version);
  if (is_terminal(c.to)) {
    rec.ended_at = now;
    arm_purge(self, rec, now + self->state.cfg.retention);
  }
  emit(self, std::move(e));
  if (is_terminal(c.to)) { // its restart, if any, right after the end (DESIGN §12)
    count_live(self, rec.node.get(), -1);
    on_agent_ended(self, rec, now);
  }
  rec.offline_since = c.to == agent_state::offline ? now : agent_record::none;
  if (c.to == agent_state::offline)
    if (auto keep = self->state.settings_of(*rec.type).offline_retention)
      arm_lost(self, rec, *keep);
  start_watching(self, rec, now);
}

void ensure_timer(self_ptr self, agent_record& rec) {
  if (!watched(rec.state))
    return;
  auto due = rec.beats.next_deadline();
  if (due >=
      rec.armed_due) // paused (max), or the pending timer comes first: lazy re-arm
    return;
  auto& st = self->state;
  if (rec.armed_due == time_point::max())
    ++st.liveness_timers;
  rec.armed_due = due;
  st.liveness.push(due, rec.key);
  if (!st.sweeping)
    arm_liveness(self);
}

void arm_liveness(self_ptr self) {
  auto& st = self->state;
  auto due = st.liveness.earliest();
  if (due >= st.liveness_armed) // empty (max), or a message comes first anyway
    return;
  auto now = self->clock().now();
  if (due > now) {
    st.liveness_armed = due;
    self->delayed_send(self, due - now, deadline_atom::value, due);
    return;
  }
  // Already due (a late sweep left it): judge everything due by now, but only after
  // the beats already in the mailbox, which this message queues behind. One message
  // for all of them, however many distinct instants: a starved supervisor with a
  // million agents must not catch up one instant per trip through its mailbox.
  st.liveness_armed = now;
  self->send(self, deadline_atom::value, now);
}

void emit(self_ptr self, event e) {
  auto& st = self->state;
  st.metrics.count_event(e);
  auto& numbered = st.hub.append(std::move(e));
  if (st.store_writer)
    st.store_out.push_back(numbered);
  flush(self);
}

void flush(self_ptr self) {
  auto& st = self->state;
  if (st.flush_pending || (st.hub.subscribers() == 0 && st.store_out.empty()))
    return;
  // One flush per mailbox pass: events of many handlers travel in one batch.
  st.flush_pending = true;
  self->send(self, caf::flush_atom::value);
}

agent_status status_of(self_ptr self, const agent_record& rec) {
  auto now = self->clock().now();
  agent_status x;
  x.id = rec.id;
  x.type = *rec.type;
  x.node = *rec.node;
  x.state = rec.state;
  x.version = rec.version;
  x.registered_at = rec.registered_at;
  x.started_at = if_set(rec.started_at);
  x.ended_at = if_set(rec.ended_at);
  x.last_beat = rec.beats.last_beat();
  x.seconds_since_beat = std::chrono::duration<double>(now - x.last_beat).count();
  x.missed = static_cast<uint32_t>(rec.beats.missed());
  x.paused = rec.beats.paused();
  x.healthy = healthy(rec);
  x.recovery_at = if_set(rec.recovery_at);
  x.reason = rec.reason;
  if (auto* err = rec.last_error())
    x.last_error = *err;
  if (auto* t = rec.restart()) {
    x.restarts = t->history.restarts;
    x.last_restart_reason = text_of(t->last_reason);
    if (t->pending())
      x.restart_due = t->next->due;
  }
  return x;
}

bool healthy(const agent_record& rec) {
  return phase_of(rec.state) == agent_phase::running &&
         rec.state != agent_state::offline && rec.beats.missed() == 0;
}

std::vector<agent_status> snapshot_of(self_ptr self,
                                      const subscription_filter& filter) {
  std::vector<agent_status> result;
  self->state.agents.for_each([&](const agent_record& rec) {
    auto x = status_of(self, rec);
    if (matches(filter, x))
      result.push_back(std::move(x));
  });

  return result;
}

} // namespace vigil::detail
