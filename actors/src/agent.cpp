// The agent actor: behaviours per lifecycle state, switched with `become` (DESIGN §2).
#include "vigil/actors/agent.hpp"

#include <algorithm>
#include <deque>
#include <memory>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/message_handler.hpp>
#include <caf/result.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "vigil/messages/errc.hpp"
#include "vigil/messages/log.hpp"

namespace vigil {

namespace {

struct pending_slot {
  slot_kind kind;
  std::string task;
};

struct agent_actor_state {
  static inline const char* name = "vigil.agent";
  agent_options opts;
  agent_facing_supervisor supervisor;
  uint64_t key = 0; ///< From the supervisor's `registration_ack`.
  /// Counts registrations: only the answer to the latest one counts (CAF handles of
  /// two connections to one supervisor compare equal, so the handle cannot tell).
  uint64_t registration_round = 0;
  agent_state current = agent_state::spawning;
  uint64_t version = 0;
  std::deque<pending_slot> queue;
  caf::optional<time_point> recovery_at;
  std::string last_error;
  std::shared_ptr<spdlog::logger> log;
  // Activity coalescing (DESIGN §6: no report storm when output is continuous).
  time_point last_activity;
  caf::optional<time_point> last_activity_sent;
  bool activity_flush_pending = false;
};

using self_ptr = caf::stateful_actor<agent_actor_state>*;

/// A reply for requests answered with no value: an empty `caf::error` would travel as
/// an error message, so success must be `caf::unit`.
caf::result<void> reply(caf::error err) {
  if (err)
    return err;
  return caf::unit;
}

caf::behavior behaviour_for(self_ptr self);
void rejoin(self_ptr self, agent_facing_supervisor sup);

/// Details a transition may carry to the supervisor.
struct change {
  agent_state to;
  std::string reason;
  std::string error = {};
  caf::optional<duration> recovery_in = caf::none;
  bool report = true; ///< False when the supervisor refused us: it is not ours to tell.
};

/// The one place the lifecycle state changes: asks the table, bumps the version,
/// reports to the supervisor, switches behaviour.
caf::error enter(self_ptr self, change c) {
  auto& st = self->state;
  if (auto err = check_transition(st.opts.id, st.current, c.to))
    return err;
  auto from = st.current;
  st.current = c.to;
  ++st.version;
  // The supervisor logs every transition at info; the agent's own view is detail.
  st.log->debug("agent {}: {} -> {} ({}), version {}", st.opts.id, to_string(from),
                to_string(c.to), c.reason, st.version);
  if (c.report) {
    transition_report report{st.opts.id,          from,    c.to,         st.version,
                             std::move(c.reason), c.error, c.recovery_in};
    self->request(st.supervisor, caf::infinite, std::move(report))
        .then([] {},
              [self](caf::error& err) {
                self->state.log->error("agent {}: supervisor refused a report: {}",
                                       self->state.opts.id, self->system().render(err));
              });
  }
  if (!is_terminal(c.to))
    self->become(behaviour_for(self));
  return caf::none;
}

/// Ends the agent in a terminal state and quits with the matching exit reason.
caf::error end(self_ptr self, agent_state to, std::string reason, std::string error,
               bool report = true) {
  auto& st = self->state;
  auto id = st.opts.id;
  change c{to, std::move(reason), error};
  c.report = report;
  if (auto err = enter(self, std::move(c)))
    return err;
  if (!st.queue.empty()) // accepted, never started: say so rather than drop silently
    st.log->warn("agent {} ended {} with {} queued slot(s) that will not start", id,
                 to_string(to), st.queue.size());
  switch (to) {
  case agent_state::completed:
    self->quit();
    break;
  case agent_state::killed:
    self->quit(caf::exit_reason::user_shutdown);
    break;
  default:
    st.last_error = error;
    self->quit(make_error(errc::agent_failed, std::move(id), std::move(error)));
  }
  return caf::none;
}

constexpr duration max_retry_after = std::chrono::hours(24 * 365);

agent_state working_state(slot_kind kind) {
  return kind == slot_kind::work ? agent_state::busy : agent_state::on_call;
}

/// Starts a slot from idle and tells the user's worker.
caf::error start(self_ptr self, pending_slot slot) {
  // A new slot reports its own output: nothing carries over from the last one.
  self->state.last_activity_sent = caf::none;
  self->state.activity_flush_pending = false;
  auto reason = "slot:" + to_string(slot.kind);
  if (auto err = enter(self, change{working_state(slot.kind), std::move(reason)}))
    return err;
  if (auto& worker = self->state.opts.worker)
    self->send(worker, work_atom::value, slot.kind, std::move(slot.task));
  return caf::none;
}

/// Back in idle: the next queued slot starts at once (two transitions, both reported).
void take_next(self_ptr self) {
  auto& st = self->state;
  if (st.current != agent_state::idle || st.queue.empty())
    return;
  auto next = std::move(st.queue.front());
  st.queue.pop_front();
  if (auto err = start(self, std::move(next)))
    st.log->error("agent {}: cannot start a queued slot: {}", st.opts.id,
                  self->system().render(err));
}

caf::result<slot_outcome> enqueue(self_ptr self, slot_kind kind, std::string task) {
  auto& st = self->state;
  if (st.queue.size() >= st.opts.settings.slot_queue) {
    st.log->warn("agent {}: slot queue full ({}), refusing a {} slot", st.opts.id,
                 st.opts.settings.slot_queue, to_string(kind));
    return make_error(errc::queue_full, st.opts.id,
                      static_cast<uint64_t>(st.opts.settings.slot_queue));
  }
  st.queue.push_back(pending_slot{kind, std::move(task)});
  return slot_outcome::queued;
}

caf::error go_exhausted(self_ptr self, quota_reason why, duration retry_after) {
  auto& st = self->state;
  // A retry-after in the past means "now"; an absurd one must not overflow the clock.
  retry_after = std::clamp(retry_after, duration::zero(), max_retry_after);
  auto at = self->clock().now() + retry_after;
  if (auto err =
          enter(self, change{agent_state::exhausted, to_string(why), {}, retry_after}))
    return err;
  st.recovery_at = at;
  self->delayed_send(self, retry_after, recover_atom::value, at);
  return caf::none;
}

void send_activity(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  st.last_activity_sent = now;
  self->send(st.supervisor, activity_report{st.opts.id, now - st.last_activity});
}

/// Output from the work while working. The first report goes out at once; more output
/// within `activity_report_interval` is folded into one report at the interval's end,
/// which says how long ago the latest output was, so the supervisor's idle deadline
/// stays exact.
void note_activity(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  st.last_activity = now;
  if (st.activity_flush_pending)
    return;
  auto interval = st.opts.settings.activity_report_interval;
  if (!st.last_activity_sent || now - *st.last_activity_sent >= interval) {
    send_activity(self);
    return;
  }
  st.activity_flush_pending = true;
  self->delayed_send(self, *st.last_activity_sent + interval - now,
                     activity_flush_atom::value);
}

void flush_activity(self_ptr self) {
  auto& st = self->state;
  if (!st.activity_flush_pending)
    return;
  st.activity_flush_pending = false;
  if (st.current == agent_state::busy || st.current == agent_state::on_call)
    send_activity(self);
}

void send_beat(self_ptr self) {
  auto& st = self->state;
  self->send(st.supervisor, heartbeat{st.opts.id, st.current, st.version});
}

caf::error refuse_quota(self_ptr self) {
  auto& st = self->state;
  if (auto err = check_transition(st.opts.id, st.current, agent_state::exhausted))
    return err;
  return make_error(errc::invalid_request, st.opts.id, std::string{"go exhausted"},
                    to_string(st.current), std::string{"idle, busy or on_call"});
}

/// Messages every live state answers the same way; state behaviours come first.
caf::message_handler common(self_ptr self) {
  return {
      [self](slot_atom, slot_kind kind,
             const std::string&) -> caf::result<slot_outcome> {
        auto& st = self->state;
        if (auto err = check_transition(st.opts.id, st.current, working_state(kind)))
          return err;
        return make_error(errc::invalid_request, st.opts.id, std::string{"take a slot"},
                          to_string(st.current),
                          std::string{"spawning, idle, busy or on_call"});
      },
      [self](finish_atom) -> caf::result<void> {
        // Not a table question: exhausted -> idle is allowed, but only by recovery.
        return make_error(errc::invalid_request, self->state.opts.id,
                          std::string{"finish"}, to_string(self->state.current),
                          std::string{"busy or on_call"});
      },
      [self](quota_atom, quota_reason) -> caf::result<void> {
        return refuse_quota(self);
      },
      [self](quota_atom, quota_reason, duration) -> caf::result<void> {
        return refuse_quota(self);
      },
      [](activity_atom) {
        // Not working: the watchdog is disarmed, output changes nothing.
      },
      [](child_report&) {
        // Not working: nobody waits on these children.
      },
      [self](activity_flush_atom) { flush_activity(self); },
      [self](complete_atom) -> caf::result<void> {
        return reply(end(self, agent_state::completed, "completed", {}));
      },
      [self](fail_atom, std::string& error) -> caf::result<void> {
        return reply(end(self, agent_state::failed, "error", std::move(error)));
      },
      [self](kill_atom) -> caf::result<void> {
        return reply(end(self, agent_state::killed, "kill_request", {}));
      },
      [self](get_atom) {
        auto& st = self->state;
        return agent_view{st.opts.id,     st.opts.type,
                          st.opts.node,   st.current,
                          st.version,     static_cast<uint32_t>(st.queue.size()),
                          st.recovery_at, st.last_error};
      },
      [](recover_atom, time_point) {
        // A recovery for an episode that already ended: nothing to do.
      },
      [self](supervisor_atom, agent_facing_supervisor& sup) {
        rejoin(self, std::move(sup));
      },
  };
}

/// The heartbeat tick, matched first: it is by far the most frequent message. With a
/// pacer the tick is the pacer's, and the answer goes back to it; otherwise it is our
/// own timer's.
caf::message_handler hot(self_ptr self) {
  return {
      [self](beat_atom) { // our own timer
        auto& st = self->state;
        if (st.opts.pacer)
          return; // a timer from before we had a pacer again: the pacer ticks now
        send_beat(self);
        self->delayed_send(self, st.opts.settings.heartbeat_interval, beat_atom::value);
      },
      [self](beat_atom, uint32_t ticket) { // the pacer's tick
        auto& st = self->state;
        if (st.opts.pacer)
          self->send(st.opts.pacer, beat_atom::value, ticket, st.current, st.version);
      },
  };
}

caf::behavior spawning(self_ptr self) {
  return hot(self).or_else(caf::message_handler{
      [self](slot_atom, slot_kind kind, std::string& task) {
        return enqueue(self, kind, std::move(task));
      },
  }
                               .or_else(common(self)));
}

caf::behavior idle(self_ptr self) {
  return hot(self).or_else(caf::message_handler{
      [self](slot_atom, slot_kind kind,
             std::string& task) -> caf::result<slot_outcome> {
        if (auto err = start(self, pending_slot{kind, std::move(task)}))
          return err;
        return slot_outcome::started;
      },
      [self](quota_atom, quota_reason why) -> caf::result<void> {
        return reply(
            go_exhausted(self, why, self->state.opts.settings.default_recovery));
      },
      [self](quota_atom, quota_reason why, duration retry_after) -> caf::result<void> {
        return reply(go_exhausted(self, why, retry_after));
      },
  }
                               .or_else(common(self)));
}

caf::behavior working(self_ptr self) {
  return hot(self).or_else(caf::message_handler{
      [self](activity_atom) { note_activity(self); },
      [self](child_report& x) {
        x.id = self->state.opts.id;
        self->send(self->state.supervisor, std::move(x));
      },
      [self](slot_atom, slot_kind kind, std::string& task) {
        return enqueue(self, kind, std::move(task));
      },
      [self](finish_atom) -> caf::result<void> {
        if (auto err = enter(self, change{agent_state::idle, "finished"}))
          return err;
        take_next(self);
        return caf::unit;
      },
      [self](quota_atom, quota_reason why) -> caf::result<void> {
        return reply(
            go_exhausted(self, why, self->state.opts.settings.default_recovery));
      },
      [self](quota_atom, quota_reason why, duration retry_after) -> caf::result<void> {
        return reply(go_exhausted(self, why, retry_after));
      },
  }
                               .or_else(common(self)));
}

caf::behavior exhausted(self_ptr self) {
  return hot(self).or_else(caf::message_handler{
      [self](recover_atom, time_point at) {
        auto& st = self->state;
        if (st.recovery_at != at)
          return; // from an earlier episode
        if (auto err = enter(self, change{agent_state::idle, "recovered"})) {
          st.log->error("agent {}: cannot recover: {}", st.opts.id,
                        self->system().render(err));
          return;
        }
        st.recovery_at = caf::none;
        take_next(self);
      },
  }
                               .or_else(common(self)));
}

caf::behavior behaviour_for(self_ptr self) {
  switch (self->state.current) {
  case agent_state::spawning:
    return spawning(self);
  case agent_state::idle:
    return idle(self);
  case agent_state::busy:
  case agent_state::on_call:
    return working(self);
  case agent_state::exhausted:
    return exhausted(self);
  default: // offline is the supervisor's verdict; terminal states quit
    return common(self);
  }
}

/// Registers with the current supervisor: at start, and again with the state and
/// version it kept whenever a node's uplink hands it a new supervisor (DESIGN §7).
void register_self(self_ptr self) {
  auto& st = self->state;
  registration reg{st.opts.id, st.opts.type, st.opts.node,
                   st.current, st.version,   st.opts.pacer.address()};
  auto round = ++st.registration_round;
  self->request(st.supervisor, caf::infinite, std::move(reg))
      .then(
          [self, round](registration_ack& ack) {
            auto& st = self->state;
            if (round != st.registration_round || is_terminal(st.current))
              return; // the answer to an earlier registration
            st.key = ack.key;
            if (st.current != agent_state::spawning) {
              st.log->info("agent {} registered again as {} (version {})", st.opts.id,
                           to_string(st.current), st.version);
              if (st.opts.pacer) // beating goes on as before, with the new key
                self->send(st.opts.pacer, pace_atom::value, st.key,
                           st.opts.settings.heartbeat_interval);
              return;
            }
            if (auto err = enter(self, change{agent_state::idle, "registered"})) {
              st.log->error("agent {}: {}", st.opts.id, self->system().render(err));
              return;
            }
            // Registration counts as the first beat (DESIGN §5).
            auto interval = st.opts.settings.heartbeat_interval;
            if (st.opts.pacer)
              self->send(st.opts.pacer, pace_atom::value, st.key, interval);
            else
              self->delayed_send(self, interval, beat_atom::value);
            take_next(self);
          },
          [self, round](caf::error& err) {
            auto& st = self->state;
            if (round != st.registration_round || is_terminal(st.current))
              return;
            auto text = self->system().render(err);
            auto code = code_of(err);
            if (code != errc::duplicate_agent && code != errc::not_owner &&
                code != errc::invalid_request) {
              // Not a refusal: the connection went (or the supervisor is stopping).
              // Keep everything and register again when handed a supervisor.
              st.log->warn("agent {}: registration did not reach the supervisor ({}); "
                           "keeps {} and waits for a new connection",
                           st.opts.id, text, to_string(st.current));
              return;
            }
            text = "registration refused: " + text;
            st.log->error("agent {}: {}", st.opts.id, text);
            end(self, agent_state::failed, "registration_refused", text, false);
          });
}

/// A supervisor handle after a reconnect: talk to it from now on, and register again.
void rejoin(self_ptr self, agent_facing_supervisor sup) {
  auto& st = self->state;
  if (!sup || is_terminal(st.current))
    return;
  // Not compared with the old handle: CAF handles compare by node and actor id, so
  // the proxy of a new connection to the same supervisor looks like the old one.
  st.log->debug("agent {}: registering again with its supervisor", st.opts.id);
  st.supervisor = std::move(sup);
  self->monitor(st.supervisor);
  register_self(self);
}

caf::behavior agent_impl(self_ptr self, agent_facing_supervisor supervisor,
                         agent_options opts) {
  auto& st = self->state;
  st.opts = std::move(opts);
  st.supervisor = std::move(supervisor);
  st.log = log();
  // Losing the supervisor changes nothing here: the agent keeps its state and work
  // until it is handed a new one (`supervisor_atom`), then registers again.
  self->monitor(st.supervisor);
  if (st.opts.pacer)
    self->monitor(st.opts.pacer);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source == st.supervisor.address()) {
      st.log->warn("agent {} lost its supervisor ({}); keeps {} (version {}) and waits "
                   "for a new one",
                   st.opts.id, self->system().render(dm.reason), to_string(st.current),
                   st.version);
    } else if (st.opts.pacer && dm.source == st.opts.pacer.address()) {
      // Without its pacer the agent beats by itself rather than go silent.
      st.log->warn("agent {} lost its pacer ({}); beats by itself", st.opts.id,
                   self->system().render(dm.reason));
      st.opts.pacer = nullptr;
      if (st.current != agent_state::spawning)
        self->delayed_send(self, st.opts.settings.heartbeat_interval, beat_atom::value);
    }
  });
  register_self(self);
  return spawning(self);
}

} // namespace

caf::expected<agent_actor> spawn_agent(caf::actor_system& sys,
                                       agent_facing_supervisor supervisor,
                                       agent_options options) {
  if (options.id.empty())
    return make_error(errc::bad_config, std::string{"agent id"},
                      std::string{"is empty"});
  if (!supervisor)
    return make_error(errc::bad_config, "agent " + options.id,
                      std::string{"has no supervisor handle"});
  if (auto err = validate(options.settings))
    return err;
  // The behaviours are dynamic (one per state, each with a shared fallback); the typed
  // handle states the contract every one of them honours.
  auto untyped = sys.spawn(agent_impl, std::move(supervisor), std::move(options));
  return caf::actor_cast<agent_actor>(std::move(untyped));
}

} // namespace vigil
