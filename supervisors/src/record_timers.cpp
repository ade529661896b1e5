// The ends of retention (purge) and of offline_retention (lost), and restart timers,
// each kind behind one delayed message over a timer heap (DESIGN §3, §12, §14): the
// CAF clock holds three entries, not one per ended, offline or restarting life.
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil::detail {

namespace {

/// Arms `atom` for the earliest entry of `h` unless a message comes at or before it.
template <class Atom>
void arm_earliest(self_ptr self, const timer_heap& h, time_point& armed, Atom atom) {
  auto due = h.earliest();
  if (due >= armed) // empty (max), or a message comes first anyway
    return;
  armed = due;
  auto now = self->clock().now();
  if (due > now)
    self->delayed_send(self, due - now, atom, due);
  else
    self->send(self, atom, due);
}

/// Runs every entry of `h` due by now, then arms for the next.
template <class Atom, class F>
void run_due(self_ptr self, timer_heap& h, time_point& armed, time_point at, Atom atom,
             F f) {
  if (self->current_sender() != self->ctrl())
    return; // our own messages only (DESIGN §11)
  if (at == armed)
    armed = time_point::max();
  h.pop_due(self->clock().now(), f);
  arm_earliest(self, h, armed, atom);
}

/// Retention of the life `key` names is over.
void on_purge(self_ptr self, uint64_t key) {
  auto* rec = self->state.agents.find(key);
  if (!rec || purge_held(*rec))
    return; // a new life took the id, or it was purged already; or its restart is
            // pending (made: a new life takes the id; given up: the purge is re-armed)
  log_limited(self, spdlog::level::info, "purge", "agent {} purged after retention",
              rec->id);
  emit_record_event(self, *rec, event_kind::purged, "retention");
  forget(self, *rec);
}

/// The `offline_retention` of the life `key` is over: if it has been offline that
/// long, it ends `failed` with reason `lost`; if it is offline since less, it re-arms.
void on_lost(self_ptr self, uint64_t key) {
  auto& st = self->state;
  st.lost_armed.erase(key);
  auto* rec = st.agents.find(key);
  auto keep = rec ? st.settings_of(*rec->type).offline_retention : std::nullopt;
  if (!rec || rec->state != agent_state::offline || !keep)
    return; // purged, taken by a new life, or back since
  auto now = self->clock().now();
  if (auto due = rec->offline_since + *keep; due > now) {
    arm_lost(self, *rec, due - now); // back and offline again meanwhile
    return;
  }
  auto why = "offline for " + format_duration(*keep) + " (offline_retention)";
  apply(self, *rec, change{agent_state::failed, "lost", why});
  if (rec->owner && !rec->owner_down) // a live actor that stopped beating
    end_agent_actor(rec->owner, make_error(errc::agent_failed, rec->id, why));
}

} // namespace

void arm_purge(self_ptr self, const agent_record& rec, time_point at) {
  auto& st = self->state;
  st.purges.push(at, rec.key);
  arm_earliest(self, st.purges, st.purge_armed, purge_atom::value);
}

void on_purge_tick(self_ptr self, time_point at) {
  auto& st = self->state;
  run_due(self, st.purges, st.purge_armed, at, purge_atom::value,
          [self](uint64_t key, time_point) { on_purge(self, key); });
}

void arm_lost(self_ptr self, const agent_record& rec, duration after) {
  auto& st = self->state;
  if (!st.settings_of(*rec.type).offline_retention ||
      !st.lost_armed.insert(rec.key).second)
    return;
  st.lost_due.push(self->clock().now() + after, rec.key);
  arm_earliest(self, st.lost_due, st.lost_armed_at, lost_atom::value);
}

void on_lost_tick(self_ptr self, time_point at) {
  auto& st = self->state;
  run_due(self, st.lost_due, st.lost_armed_at, at, lost_atom::value,
          [self](uint64_t key, time_point) { on_lost(self, key); });
}

void arm_restart_timer(self_ptr self, uint64_t key, time_point at) {
  auto& st = self->state;
  st.restart_timers.push(at, key);
  arm_earliest(self, st.restart_timers, st.restart_armed, restart_atom::value);
}

void on_restart_tick(self_ptr self, time_point at) {
  auto& st = self->state;
  run_due(self, st.restart_timers, st.restart_armed, at, restart_atom::value,
          [self](uint64_t key, time_point due) { on_restart_timer(self, key, due); });
}

} // namespace vigil::detail
