// The restart engine (DESIGN §12): an end asks its type's policy; a scheduled restart
// waits for its due time, a spawner and a token, then asks the spawner for a new life,
// which registers as usual and takes the id's restart state with it.
#include <algorithm>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/message.hpp>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"

namespace vigil::detail {

namespace {

/// Arms the one restart message of `rec` that counts, for `at` (now, if past).
void arm(self_ptr self, agent_record& rec, pending_restart& t, time_point at) {
  t.timer_at = at;
  arm_restart_timer(self, rec.key, at);
}

/// Arms the token message for `at` unless one comes at or before it.
void arm_token(self_ptr self, time_point at) {
  auto& st = self->state;
  if (at >= st.token_timer_at)
    return;
  st.token_timer_at = at;
  auto in = std::max(at - self->clock().now(), duration::zero());
  self->delayed_send(self, in, restart_token_atom::value, at);
}

/// Ends the pending restart of `t`, if any, and frees it: a restart timer that comes
/// later finds none and is stale.
void settle(self_ptr self, restart_track& t) {
  if (!t.next)
    return;
  if (t.next->phase == restart_phase::requested && t.next->spawn_node)
    count_live(self, t.next->spawn_node.get(), -1); // registered, or given up on
  --self->state.restarts_pending;
  t.next.reset();
}

/// Retention of an ended record whose restart is given up goes on from its end.
void rearm_purge(self_ptr self, const agent_record& rec, time_point now) {
  auto purge_at = (rec.ended_at != agent_record::none ? rec.ended_at : now) +
                  self->state.cfg.retention;
  arm_purge(self, rec, std::max(purge_at, now));
}

/// Gives up the restart after the end for `cause`, pending or not (`attempt`).
void give_up(self_ptr self, agent_record& rec, restart_track& t, const char* reason,
             std::string cause, uint32_t attempt, time_point now) {
  auto& st = self->state;
  bool was_pending = t.pending();
  settle(self, t);
  st.awaiting_spawner.erase(rec.key);
  ++st.restarts_given_up;
  log_limited(
      self, spdlog::level::warn, "restart given up",
      "agent {}: restart given up ({}), after its end for {}; {} restarts so far",
      rec.id, reason, cause, t.history.restarts);
  auto e = event_for(rec, event_kind::restart_gave_up, now);
  e.reason = reason;
  e.details = std::move(cause);
  e.attempt = attempt;
  e.restarts = t.history.restarts;
  emit(self, std::move(e));
  if (was_pending) // its purge waited for the restart
    rearm_purge(self, rec, now);
}

/// Asks the policy of `rec`'s type about an end in `to` for `reason`.
void decide(self_ptr self, agent_record& rec, agent_state to, const std::string& reason,
            time_point registered_at, time_point now) {
  auto& st = self->state;
  if (st.stopping) // DESIGN §12: nothing restarts during an orderly stop
    return;
  auto& cfg = st.settings_of(*rec.type).restart;
  if (cfg.policy == restart_mode::temporary) // no restart state for such fleets
    return;
  restart_policy policy{cfg};
  if (!policy.wants(to, reason))
    return;
  auto& t = rec.restart_state();
  auto d = policy.on_end(t.history, to, reason, registered_at, now, st.restart_rng);
  if (d.what == restart_decision::outcome::gave_up) {
    give_up(self, rec, t, d.reason.c_str(), reason, t.history.in_a_row + 1, now);
    return;
  }
  if (!t.next) {
    t.next = std::make_unique<pending_restart>();
    ++st.restarts_pending;
  }
  auto& p = *t.next;
  p.phase = restart_phase::delayed;
  p.attempt = d.attempt;
  p.due = d.due;
  p.cause = interned_name{reason};
  t.replaced = rec.token;
  ++st.restarts_scheduled;
  auto e = event_for(rec, event_kind::restart_scheduled, now);
  e.reason = reason;
  e.details = reason;
  e.attempt = d.attempt;
  e.restarts = t.history.restarts;
  e.delay = d.delay;
  e.due = d.due;
  emit(self, std::move(e));
  log_limited(self, spdlog::level::info, "restart",
              "agent {}: restart {} scheduled in {} after its end for {}", rec.id,
              d.attempt, format_duration(d.delay), reason);
  arm(self, rec, p, d.due);
}

/// Asks `sp` for the new life, with no sender: the supervisor never sends to a peer as
/// itself (DESIGN §11).
void request(self_ptr self, agent_record& rec, pending_restart& t,
             const std::string& node, const spawner_actor& sp, time_point now) {
  t.phase = restart_phase::requested;
  t.requested_at = now;
  t.spawn_node = interned_name{node};
  count_live(self, t.spawn_node.get(), +1);
  spawn_request req{rec.id, *rec.type, rec.version, t.attempt, text_of(t.cause)};
  auto dest = caf::actor_cast<caf::actor>(sp);
  dest->enqueue(nullptr, caf::make_message_id(), caf::make_message(std::move(req)),
                nullptr);
  log_limited(self, spdlog::level::info, "restart",
              "agent {}: restart {} asked of the spawner of node {}", rec.id, t.attempt,
              node);
  // DESIGN §12: a new life that has not registered within the heartbeat timeout
  // counts as a failed attempt.
  arm(self, rec, t, now + self->state.settings_of(*rec.type).heartbeat.timeout);
}

const std::string& node_of(self_ptr self, const supervisor_state::spawner_entry& sp) {
  for (auto& [node, entry] : self->state.spawners)
    if (&entry == &sp)
      return node;
  static const std::string none;
  return none;
}

} // namespace

void on_agent_ended(self_ptr self, agent_record& rec, time_point now) {
  decide(self, rec, rec.state, rec.reason, rec.registered_at, now);
}

void advance_restart(self_ptr self, agent_record& rec, time_point now) {
  auto& st = self->state;
  if (st.stopping)
    return; // it stays pending in the record: the next supervisor makes it
  auto* track = rec.restart();
  auto* t = track ? track->next.get() : nullptr;
  if (!t || t->phase == restart_phase::requested || t->phase == restart_phase::token)
    return; // none pending, asked for already, or queued for a token
  if (t->phase == restart_phase::delayed) {
    if (now < t->due) {
      arm(self, rec, *t, t->due);
      return;
    }
    t->phase = restart_phase::spawner;
  }
  auto* sp = find_spawner(self, rec);
  if (!sp) {
    t->phase = restart_phase::spawner;
    st.awaiting_spawner.insert(rec.key);
    if (auto wait = st.settings_of(*rec.type).restart.wait_for_spawner) {
      // From its due time, or from our start for a restart a store kept: nodes had no
      // supervisor to offer to while none ran.
      auto until = std::max(t->due, st.started_at) + *wait;
      if (now >= until)
        give_up(self, rec, *track, "no_spawner", text_of(t->cause), t->attempt, now);
      else if (t->timer_at != until)
        arm(self, rec, *t, until);
    }
    return;
  }
  st.awaiting_spawner.erase(rec.key);
  if (st.restart_rate) {
    // It queues for a token: the token message at this instant (armed after every
    // restart due now) hands them out in due order, then by id.
    t->phase = restart_phase::token;
    st.awaiting_token.push({t->due, rec.id, rec.key});
    arm_token(self, st.restart_rate->next_token(now));
    return;
  }
  request(self, rec, *t, node_of(self, *sp), sp->spawner, now);
}

void reask_restarts_of(self_ptr self, const std::string& node) {
  auto& st = self->state;
  auto* name = find_interned(node);
  if (!name)
    return;
  std::vector<uint64_t> keys;
  st.agents.for_each([&](agent_record& rec) {
    auto* track = rec.restart();
    auto* t = track ? track->next.get() : nullptr;
    if (t && t->phase == restart_phase::requested && t->spawn_node.get() == name)
      keys.push_back(rec.key);
  });
  auto now = self->clock().now();
  for (auto key : keys) {
    auto* rec = st.agents.find(key);
    auto* t = rec && rec->restart() ? rec->restart()->next.get() : nullptr;
    if (!t)
      continue;
    count_live(self, name, -1);
    t->spawn_node = interned_name{};
    t->phase = restart_phase::spawner;
    t->timer_at = time_point::max(); // its registration deadline no longer counts
    log_limited(self, spdlog::level::info, "restart",
                "agent {}: restart {} was asked of node {}, whose spawner is gone; it "
                "waits for a spawner again",
                rec->id, t->attempt, node);
    advance_restart(self, *rec, now);
  }
}

void on_restart_timer(self_ptr self, uint64_t key, time_point at) {
  auto* rec = self->state.agents.find(key);
  auto* track = rec ? rec->restart() : nullptr;
  auto* t = track ? track->next.get() : nullptr;
  if (!t || t->timer_at != at)
    return; // made, given up, replaced by a new life, or re-armed since
  t->timer_at = time_point::max();
  auto now = self->clock().now();
  if (t->phase != restart_phase::requested) {
    advance_restart(self, *rec, now);
    return;
  }
  // The spawner did not bring the new life in time: a failed attempt (DESIGN §12).
  log_limited(self, spdlog::level::warn, "restart",
              "agent {}: restart {} asked of node {} did not register within the "
              "heartbeat timeout",
              rec->id, t->attempt, t->spawn_node ? *t->spawn_node : std::string{"?"});
  settle(self, *track); // frees `t`
  decide(self, *rec, agent_state::failed, "spawn_timeout", now, now);
  if (!track->pending())
    rearm_purge(self, *rec, now); // nothing more to wait for
}

void on_token_timer(self_ptr self, time_point at) {
  auto& st = self->state;
  if (st.stopping)
    return; // see advance_restart
  if (at != st.token_timer_at || !st.restart_rate)
    return;
  st.token_timer_at = time_point::max();
  auto now = self->clock().now();
  while (!st.awaiting_token.empty()) {
    auto key = st.awaiting_token.top().key;
    auto* rec = st.agents.find(key);
    auto* track = rec ? rec->restart() : nullptr;
    auto* t = track ? track->next.get() : nullptr;
    if (!t || t->phase != restart_phase::token) {
      st.awaiting_token.pop(); // settled meanwhile
      continue;
    }
    auto* sp = find_spawner(self, *rec);
    if (!sp) { // gone since: it waits for a spawner again
      st.awaiting_token.pop();
      t->phase = restart_phase::spawner;
      advance_restart(self, *rec, now);
      continue;
    }
    if (!st.restart_rate->try_take(now))
      break;
    st.awaiting_token.pop();
    request(self, *rec, *t, node_of(self, *sp), sp->spawner, now);
  }
  if (!st.awaiting_token.empty())
    arm_token(self, st.restart_rate->next_token(now));
}

bool superseded(const agent_record& rec, const life_token& token) {
  auto* t = rec.restart();
  if (!t)
    return false;
  auto shown = digest_of(token);
  if (matches(t->replaced, shown) && !matches(rec.token, shown))
    return true; // a life a restart replaced
  // The ended life itself, while a restart is replacing it.
  return is_terminal(rec.state) && t->pending() && matches(rec.token, shown);
}

std::optional<restart_track> take_restart(self_ptr self, agent_record& ended) {
  if (!ended.extras || !ended.extras->restart)
    return std::nullopt;
  auto& st = self->state;
  auto carried = std::move(ended.extras->restart);
  ended.extras->restart.reset();
  st.awaiting_spawner.erase(ended.key); // a queued token entry finds no record
  if (carried->pending() && carried->phase() != restart_phase::requested) {
    log_limited(self, spdlog::level::info, "restart",
                "agent {} registered before its pending restart {} was made; the "
                "restart is cancelled",
                ended.id, carried->next->attempt);
    settle(self, *carried);
  }
  if (!ended.token.empty())
    carried->replaced = ended.token;
  return carried;
}

std::optional<restart_made> carry_restart(self_ptr self, agent_record& rec,
                                          std::optional<restart_track> carried,
                                          uint64_t old_version) {
  rec.version = std::max(rec.version, old_version + 1); // versions keep rising per id
  if (!carried)
    return std::nullopt;
  auto& st = self->state;
  std::optional<restart_made> made;
  if (carried->phase() == restart_phase::requested) {
    auto& h = carried->history;
    ++h.restarts;
    carried->last_reason = carried->next->cause;
    made =
        restart_made{carried->next->attempt, h.restarts, text_of(carried->next->cause)};
    ++st.restarts_made;
    settle(self, *carried);
  }
  if (!rec.extras)
    rec.extras = std::make_unique<record_extras>();
  rec.extras->restart = std::move(carried);
  return made;
}

void restore_restart(self_ptr self, agent_record& rec, const stored_agent& row,
                     time_point origin) {
  if (row.restarts == 0 && row.last_restart_reason.empty() && !row.restart_due)
    return;
  auto& t = rec.restart_state();
  t.history.restarts = row.restarts;
  if (!row.last_restart_reason.empty())
    t.last_reason = interned_name{row.last_restart_reason};
  if (!row.restart_due || !is_terminal(rec.state))
    return;
  // DESIGN §12: a restart due at T still happens at T (already past: now).
  if (!t.next) {
    t.next = std::make_unique<pending_restart>();
    ++self->state.restarts_pending;
  }
  auto& p = *t.next;
  p.phase = restart_phase::delayed;
  p.attempt = std::max<uint32_t>(row.restart_attempt, 1);
  t.history.in_a_row = p.attempt; // the backoff goes on from there
  p.due = origin + *row.restart_due;
  p.cause = interned_name{row.restart_cause};
  t.replaced = rec.token;
  arm(self, rec, p, p.due);
}

bool purge_held(const agent_record& rec) {
  auto* t = rec.restart();
  return t && t->pending();
}

void fill_restart_stats(self_ptr self, supervisor_stats& x) {
  auto& st = self->state;
  x.restarts = st.restarts_made;
  x.restarts_scheduled = st.restarts_scheduled;
  x.restarts_given_up = st.restarts_given_up;
  x.restarts_pending = st.restarts_pending;
  x.spawners = st.spawners.size();
}

} // namespace vigil::detail
