// What every supervised agent does, whichever actor it lives in (agent_core.hpp):
// transitions and their reports, the end, exhausted and recovery, activity, beats.
#include "agent_core.hpp"

#include <algorithm>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <spdlog/spdlog.h>

#include "vigil/messages/errc.hpp"
#include "vigil/messages/log.hpp"

namespace vigil::detail::agent {

void agent_core::adopt(agent_options& opts, agent_facing_supervisor sup) {
  id = std::move(opts.id);
  type = interned_name{opts.type};
  node = interned_name{opts.node};
  settings = opts.settings;
  pacer = std::move(opts.pacer);
  if (!opts.node_key.empty())
    node_key = interned_name{opts.node_key.secret};
  supervisor = std::move(sup);
}

spdlog::logger& agent_log() {
  // Per thread, so no agent waits for another: CAF runs agents on a few workers.
  thread_local std::shared_ptr<spdlog::logger> kept;
  thread_local uint64_t kept_generation = 0;
  auto generation = log_generation();
  if (!kept || kept_generation != generation) {
    kept = log();
    kept_generation = generation;
  }
  return *kept;
}

bool from_self(actor_ptr self) {
  return self->current_sender().get() == self->ctrl();
}

bool from_own_node(actor_ptr self) {
  auto& sender = self->current_sender();
  return sender && sender->node() == self->node();
}

caf::error enter(actor_ptr self, agent_core& st, change c) {
  if (auto err = check_transition(st.id, st.current, c.to))
    return err;
  auto from = st.current;
  st.current = c.to;
  ++st.version;
  // The supervisor logs every transition at info; the agent's own view is detail.
  agent_log().debug("agent {}: {} -> {} ({}), version {}", st.id, to_string(from),
                    to_string(c.to), c.reason, st.version);
  if (c.report) {
    transition_report report{st.id,   st.token,     from,
                             c.to,    st.version,   std::move(c.reason),
                             c.error, c.recovery_in};
    self->request(st.supervisor, caf::infinite, std::move(report))
        .then([] {},
              [self, core = &st](caf::error& err) {
                agent_log().error("agent {}: supervisor refused a report: {}", core->id,
                                  self->system().render(err));
              });
  }
  return caf::none;
}

caf::error end(actor_ptr self, agent_core& st, agent_state to, std::string reason,
               std::string error, bool report) {
  auto id = st.id;
  change c{to, std::move(reason), error};
  c.report = report;
  if (auto err = enter(self, st, std::move(c)))
    return err;
  switch (to) {
  case agent_state::completed:
    self->quit();
    break;
  case agent_state::killed:
    self->quit(caf::exit_reason::user_shutdown);
    break;
  default:
    self->quit(make_error(errc::agent_failed, std::move(id), std::move(error)));
  }
  return caf::none;
}

constexpr duration max_retry_after = std::chrono::hours(24 * 365);

caf::error go_exhausted(actor_ptr self, agent_core& st, quota_reason why,
                        duration retry_after) {
  // A retry-after in the past means "now"; an absurd one must not overflow the clock.
  retry_after = std::clamp(retry_after, duration::zero(), max_retry_after);
  auto at = self->clock().now() + retry_after;
  if (auto err = enter(self, st,
                       change{agent_state::exhausted, to_string(why), {}, retry_after}))
    return err;
  st.recovery_at = at;
  self->delayed_send(self, retry_after, recover_atom::value, at);
  return caf::none;
}

caf::error refuse_quota(const agent_core& st) {
  if (auto err = check_transition(st.id, st.current, agent_state::exhausted))
    return err;
  return make_error(errc::invalid_request, st.id, std::string{"go exhausted"},
                    to_string(st.current), std::string{"idle, busy or on_call"});
}

bool recover(actor_ptr self, agent_core& st, time_point at) {
  if (!from_self(self))
    return false; // not our timer
  if (st.current != agent_state::exhausted || st.recovery_at != at)
    return false; // from an earlier episode
  if (auto err = enter(self, st, change{agent_state::idle, "recovered"})) {
    agent_log().error("agent {}: cannot recover: {}", st.id,
                      self->system().render(err));
    return false;
  }
  st.recovery_at = time_point::max();
  return true;
}

namespace {

void send_activity(actor_ptr self, agent_core& st) {
  auto now = self->clock().now();
  st.last_activity_sent = now;
  self->send(st.supervisor, activity_report{st.id, st.token, now - st.last_activity});
}

bool working(agent_state x) {
  return x == agent_state::busy || x == agent_state::on_call;
}

} // namespace

/// The first report goes out at once; more output within `activity_report_interval`
/// is folded into one report at the interval's end, which says how long ago the latest
/// output was, so the supervisor's idle deadline stays exact.
void note_activity(actor_ptr self, agent_core& st) {
  if (!working(st.current))
    return; // the watchdog is disarmed: output changes nothing
  auto now = self->clock().now();
  st.last_activity = now;
  if (st.activity_flush_pending)
    return;
  auto interval = st.settings.activity_report_interval;
  if (st.last_activity_sent == time_point::min() ||
      now - st.last_activity_sent >= interval) {
    send_activity(self, st);
    return;
  }
  st.activity_flush_pending = true;
  self->delayed_send(self, st.last_activity_sent + interval - now,
                     activity_flush_atom::value);
}

void flush_activity(actor_ptr self, agent_core& st) {
  if (!from_self(self))
    return; // not our timer
  if (!st.activity_flush_pending)
    return;
  st.activity_flush_pending = false;
  if (working(st.current))
    send_activity(self, st);
}

void reset_activity(agent_core& st) {
  st.last_activity_sent = time_point::min();
  st.activity_flush_pending = false;
}

void forward_children(actor_ptr self, agent_core& st, child_report x) {
  if (!working(st.current))
    return; // nobody waits on these children
  x.id = st.id;
  x.token = st.token;
  self->send(st.supervisor, std::move(x));
}

void send_beat(actor_ptr self, agent_core& st) {
  self->send(st.supervisor, heartbeat{st.id, st.beat_secret, st.current, st.version});
}

void answer_tick(actor_ptr self, agent_core& st, uint32_t ticket, uint32_t token) {
  if (st.pacer)
    st.pacer->eq_impl(caf::make_message_id(), nullptr, self->context(),
                      beat_atom::value, ticket, token, st.current, st.version);
}

void own_beat(actor_ptr self, agent_core& st) {
  if (!from_self(self))
    return; // not our timer: one chain only
  if (st.pacer || is_terminal(st.current))
    return; // a timer from before we had a pacer again: the pacer ticks now
  send_beat(self, st);
  arm_own_beat(self, st);
}

void arm_own_beat(actor_ptr self, agent_core& st) {
  self->delayed_send(self, st.settings.heartbeat_interval, beat_atom::value);
}

void pacer_ended(actor_ptr self, agent_core& st, const caf::actor_addr& pacer) {
  if (st.pacer && pacer == st.pacer.address())
    lose_pacer(self, st, "it stopped");
}

agent_view view_of(const agent_core& st, uint32_t queued) {
  caf::optional<time_point> recovery;
  if (st.recovery_at != time_point::max())
    recovery = st.recovery_at;
  return agent_view{st.id,      *st.type, *st.node, st.current,
                    st.version, queued,   recovery};
}

} // namespace vigil::detail::agent
