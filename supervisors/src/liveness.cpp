// Liveness in the supervisor (DESIGN §4, §5): beats alone or in a pacer's batch, and
// the one delayed message behind which every agent's deadline waits.
#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"

namespace vigil::detail {

namespace {

/// A beat of an agent whose sender was checked: O(1), no timer touched. `from_owner`:
/// the agent's own actor sent it (a batch comes from its pacer).
void beat(self_ptr self, agent_record& r, agent_state state, time_point now,
          bool from_owner) {
  if (is_terminal(r.state))
    return; // sent before it learned of its end
  if (r.owner_down) {
    // Its actor was lost with its node. Its own beat shows it is back: watch it again
    // (through the handle it came by; the old proxy is dead). A batch alone does not
    // restore it: the agent registers again once its node is reconnected.
    auto sender = caf::actor_cast<caf::actor>(self->current_sender());
    if (!from_owner || !sender) {
      r.beats.beat(now);
      return;
    }
    adopt(self, r, std::move(sender));
  }
  auto gap = (now - r.beats.last_beat()) / std::chrono::milliseconds(10);
  ++self->state.beat_gaps[static_cast<size_t>(std::clamp<int64_t>(gap, 0, 1000))];
  r.beats.beat(now);
  if (r.state == agent_state::offline) {
    if (may_transition(r.state, state))
      apply(self, r, change{state, "heartbeat"});
    else
      log_refusal(self, "heartbeat:state",
                  fmt::format("agent {} beat from offline in state {}, which offline "
                              "cannot go to",
                              r.id, to_string(state)));
  }
  if (r.armed_due == time_point::max())
    ensure_timer(self, r);
}

} // namespace

void on_heartbeat(self_ptr self, const heartbeat& hb) {
  if (auto err = check_inbound(hb)) {
    refuse_input(self, "heartbeat", std::move(err));
    return;
  }
  // One lookup per beat; the life's beat secret proves it (DESIGN §11).
  auto* rec = self->state.agents.find(hb.id);
  if (rec && matches(rec->beat_secret, hb.secret)) {
    beat(self, *rec, hb.state, self->clock().now(), true);
    return;
  }
  if (rec && is_terminal(rec->state))
    return; // sent before it learned of its end
  log_refusal(self, rec ? "heartbeat:secret" : "heartbeat:unknown",
              rec ? fmt::format("heartbeat for agent {} refused: not its life's beat "
                                "secret",
                                hb.id)
                  : fmt::format("heartbeat for unknown agent {} refused", hb.id));
}

/// A pacer's batch: each entry counts only with its life's current key and beat secret
/// (from the registration answer), whoever sent the batch.
void on_beat_batch(self_ptr self, beat_batch& batch) {
  auto& st = self->state;
  if (auto err = check_inbound(batch)) {
    refuse_input(self, "beat batch", std::move(err));
    return;
  }
  auto now = self->clock().now();
  size_t refused = 0;
  const std::string* node = nullptr; // whose lateness the batch told last
  auto& xs = batch.beats;
  for (size_t i = 0; i < xs.size(); ++i) {
    // Overlap the cache misses of the lookups ahead with this beat's work.
    if (i + 16 < xs.size())
      st.agents.prefetch_slot(xs[i + 16].key);
    if (i + 8 < xs.size())
      st.agents.prefetch_record(xs[i + 8].key);
    auto& b = xs[i];
    auto* rec = st.agents.find(b.key);
    if (rec && matches(rec->beat_secret, b.secret)) {
      // The lateness counts for the nodes of the agents whose beats prove the batch.
      if (rec->node.get() != node) {
        node = rec->node.get();
        note_node_lateness(self, *rec, batch.lateness, now);
      }
      beat(self, *rec, b.state, now, false);
    } else if (!rec || !is_terminal(rec->state)) // ended agents: late beats are moot
      ++refused;
  }
  if (refused > 0)
    log_refusal(
        self, "beat batch:stale",
        fmt::format("{} of {} beats in a batch refused: stale keys (agents that "
                    "have not registered again since a reconnect or a "
                    "supervisor restart), or a wrong beat secret",
                    refused, batch.beats.size()));
}

namespace {

/// Per-agent lines a sweep writes of each kind before it only counts.
constexpr size_t lines_per_sweep = 5;

/// One agent's liveness deadline came due.
void on_deadline(self_ptr self, uint64_t key, time_point due) {
  auto& st = self->state;
  auto* found = st.agents.find(key);
  if (!found)
    return;
  auto& rec = *found;
  auto& id = rec.id;
  if (due != rec.armed_due)
    return; // superseded by an earlier deadline
  rec.armed_due = time_point::max();
  --st.liveness_timers;
  if (!watched(rec.state))
    return;
  auto now = self->clock().now();
  // Most checks find a newer beat (lazy re-arm): the node's lateness only matters for
  // a miss that is due.
  auto deferral = now >= rec.beats.next_deadline() ? node_deferral(self, rec, now)
                                                   : duration::zero();
  auto verdict = rec.beats.check(now, deferral);
  if (verdict == liveness::deferred) { // its node runs late: so may its beats
    ++st.deferred_checks;
    ensure_timer(self, rec);
    return;
  }
  if (verdict == liveness::missed || verdict == liveness::offline) {
    auto n = rec.beats.missed();
    auto max = rec.beats.settings().max_missed;
    if (++st.tally.missed <= lines_per_sweep) { // the rest: the sweep's summary
      if (n == 1)
        log_limited(self, spdlog::level::warn, "missed beat",
                    "agent {} missed beat {} of {}", id, n, max);
      else
        log_limited(self, spdlog::level::info, "missed beat",
                    "agent {} missed beat {} of {}", id, n, max);
    }
    auto e = event_for(rec, event_kind::heartbeat_missed, self->clock().now());
    e.missed = static_cast<uint32_t>(n);
    emit(self, std::move(e));
  } else if (verdict == liveness::grace) {
    st.tally.worst_lag = std::max(st.tally.worst_lag, rec.beats.lag());
    if (++st.tally.late <= lines_per_sweep)
      log_limited(
          self, spdlog::level::warn, "late check",
          "liveness check of agent {} ran {} late (lag_grace {}): the supervisor "
          "was starved; one more check interval before any offline verdict",
          id, format_duration(rec.beats.lag()),
          format_duration(rec.beats.settings().lag_grace));
  }
  if (verdict == liveness::offline) {
    ++st.heartbeat_timeouts;
    st.metrics.count_detection(now -
                               (rec.beats.last_beat() + rec.beats.settings().timeout));
    if (may_transition(rec.state, agent_state::offline))
      apply(self, rec, change{agent_state::offline, "heartbeat_timeout"});
    else { // spawning: registered, then never heard from again
      std::string why = "no heartbeat after registration";
      apply(self, rec, change{agent_state::failed, "heartbeat_timeout", why});
      if (rec.owner) // anonymous: never a message to a peer as the supervisor
        end_agent_actor(rec.owner, make_error(errc::agent_failed, rec.id, why));
    }
    return;
  }
  ensure_timer(self, rec);
}

} // namespace

/// The queue's delayed message: the deadlines due by the time it was armed for, then
/// the next message. Deadlines due between that time and now (when it came late) wait
/// for that next message, which queues behind any beats already in the mailbox: a
/// starved supervisor must not count beats it has not read yet as missed.
void on_liveness_tick(self_ptr self, time_point at) {
  auto& st = self->state;
  auto now = self->clock().now();
  if (at == st.liveness_armed) {
    st.liveness_armed = time_point::max();
    note_self_lag(self, std::max(now - at, duration::zero()), now);
  }
  st.sweeping = true;
  st.tally = {};
  st.liveness.pop_due(
      std::min(at, now),
      [self](uint64_t key, time_point due) { on_deadline(self, key, due); },
      [&st](uint64_t key, bool far) {
        if (far)
          st.agents.prefetch_slot(key);
        else
          st.agents.prefetch_record(key);
      });
  st.sweeping = false;
  // Summaries are limited too: an overloaded supervisor sweeps hundreds of times a
  // second.
  if (st.tally.missed > lines_per_sweep)
    log_limited(self, spdlog::level::warn, "missed beat sweep",
                "{} agents missed a beat in this liveness sweep ({} more than the "
                "lines above); every one is an event to subscribers",
                st.tally.missed, st.tally.missed - lines_per_sweep);
  if (st.tally.late > lines_per_sweep)
    log_limited(self, spdlog::level::warn, "late sweep",
                "liveness checks of {} agents ran late in this sweep, the worst by "
                "{}: the supervisor was starved; their verdicts wait one more check "
                "interval",
                st.tally.late, format_duration(st.tally.worst_lag));
  arm_liveness(self);
}

} // namespace vigil::detail
