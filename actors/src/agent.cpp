// The agent actor: one behaviour per lifecycle state (DESIGN §2). The actor holds one
// shared behaviour that matches nothing; its default handler takes the tick directly
// and hands any other message to the behaviour of the state the agent is in, built for
// that message. Held, the per-state behaviours cost about 970 B per agent (17 handlers
// in `or_else` chains), and a tick handler of its own about 100 B: a million idle
// agents would pay that for messages most of them get once a day.
#include "vigil/actors/agent.hpp"

#include <algorithm>
#include <iterator>
#include <memory>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/message_handler.hpp>
#include <caf/result.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/type_erased_tuple.hpp>
#include <spdlog/spdlog.h>

#include "agent_state.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/log.hpp"

namespace vigil::detail::agent {

/// A reply for requests answered with no value: an empty `caf::error` would travel as
/// an error message, so success must be `caf::unit`.
caf::result<void> reply(caf::error err) {
  if (err)
    return err;
  return caf::unit;
}

/// Slots waiting in the queue (at most `slot_queue`).
size_t queued(const agent_actor_state& st) {
  return static_cast<size_t>(std::distance(st.queue.begin(), st.queue.end()));
}

// The core's spare bits hold the agent's own flags: the state stays what it was.
static_assert(sizeof(agent_actor_state) <= 192, "keep the agent actor at 1,280 B");

agent_actor_state::~agent_actor_state() {
  if (!queue.empty()) // accepted, never started: say so rather than drop silently
    agent_log().warn("agent {} ended {} with {} queued slot(s) that will not start", id,
                     to_string(current), queued(*this));
  // No worker lingers until its own request timeouts: it cannot work without us.
  if (worker && owns_worker)
    caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
}

caf::error end(self_ptr self, agent_state to, std::string reason, std::string error) {
  return end(self, self->state, to, std::move(reason), std::move(error));
}

agent_state working_state(slot_kind kind) {
  return kind == slot_kind::work ? agent_state::busy : agent_state::on_call;
}

/// Starts a slot from idle and tells the user's worker.
caf::error start(self_ptr self, pending_slot slot) {
  reset_activity(self->state); // a new slot reports its own output
  auto reason = "slot:" + to_string(slot.kind);
  if (auto err =
          enter(self, self->state, change{working_state(slot.kind), std::move(reason)}))
    return err;
  if (auto& worker = self->state.worker)
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
    agent_log().error("agent {}: cannot start a queued slot: {}", st.id,
                      self->system().render(err));
}

void take_next_hook(actor_ptr self, agent_core&) {
  take_next(static_cast<self_ptr>(self));
}

caf::result<slot_outcome> enqueue(self_ptr self, slot_kind kind, std::string task) {
  auto& st = self->state;
  if (queued(st) >= st.settings.slot_queue) {
    agent_log().warn("agent {}: slot queue full ({}), refusing a {} slot", st.id,
                     st.settings.slot_queue, to_string(kind));
    return make_error(errc::queue_full, st.id,
                      static_cast<uint64_t>(st.settings.slot_queue));
  }
  auto last = st.queue.before_begin();
  for (auto i = st.queue.begin(); i != st.queue.end(); ++i)
    last = i;
  st.queue.insert_after(last, pending_slot{kind, std::move(task)});
  return slot_outcome::queued;
}

/// Messages every live state answers the same way; state behaviours come first.
caf::message_handler common(self_ptr self) {
  return {
      [self](pace_atom, const caf::actor_addr& pacer) { // our pacer, as it ended
        pacer_ended(self, self->state, pacer);
      },
      [self](slot_atom, slot_kind kind,
             const std::string&) -> caf::result<slot_outcome> {
        auto& st = self->state;
        if (auto err = check_transition(st.id, st.current, working_state(kind)))
          return err;
        return make_error(errc::invalid_request, st.id, std::string{"take a slot"},
                          to_string(st.current),
                          std::string{"spawning, idle, busy or on_call"});
      },
      [self](finish_atom) -> caf::result<void> {
        // Not a table question: exhausted -> idle is allowed, but only by recovery.
        return make_error(errc::invalid_request, self->state.id, std::string{"finish"},
                          to_string(self->state.current),
                          std::string{"busy or on_call"});
      },
      [self](quota_atom, quota_reason) -> caf::result<void> {
        return refuse_quota(self->state);
      },
      [self](quota_atom, quota_reason, duration) -> caf::result<void> {
        return refuse_quota(self->state);
      },
      [](activity_atom) {
        // Not working: the watchdog is disarmed, output changes nothing.
      },
      [](child_report&) {
        // Not working: nobody waits on these children.
      },
      [self](activity_flush_atom) { flush_activity(self, self->state); },
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
        return view_of(self->state, static_cast<uint32_t>(queued(self->state)));
      },
      [](recover_atom, time_point) {
        // A recovery for an episode that already ended: nothing to do.
      },
      [self](supervisor_atom, agent_facing_supervisor& sup) {
        rejoin(self, self->state, std::move(sup), take_next_hook);
      },
  };
}

caf::behavior held_behaviour() {
  // Matches nothing an agent is sent. A behaviour of the agent's own (handlers that
  // capture `self`) costs about 100 B per agent; this one is shared by all of them.
  using held_atom = caf::atom_constant<caf::atom("vgl_held")>;
  static const caf::behavior shared{[](held_atom) {
  }};
  return shared;
}

caf::behavior spawning(self_ptr self) {
  return caf::message_handler{
      [self](slot_atom, slot_kind kind, std::string& task) {
        return enqueue(self, kind, std::move(task));
      },
  }
      .or_else(common(self));
}

caf::behavior idle(self_ptr self) {
  return caf::message_handler{
      [self](slot_atom, slot_kind kind,
             std::string& task) -> caf::result<slot_outcome> {
        if (auto err = start(self, pending_slot{kind, std::move(task)}))
          return err;
        return slot_outcome::started;
      },
      [self](quota_atom, quota_reason why) -> caf::result<void> {
        auto& st = self->state;
        return reply(go_exhausted(self, st, why, st.settings.default_recovery));
      },
      [self](quota_atom, quota_reason why, duration retry_after) -> caf::result<void> {
        return reply(go_exhausted(self, self->state, why, retry_after));
      },
  }
      .or_else(common(self));
}

caf::behavior working(self_ptr self) {
  return caf::message_handler{
      [self](activity_atom) { note_activity(self, self->state); },
      [self](child_report& x) { forward_children(self, self->state, std::move(x)); },
      [self](slot_atom, slot_kind kind, std::string& task) {
        return enqueue(self, kind, std::move(task));
      },
      [self](finish_atom) -> caf::result<void> {
        if (auto err = enter(self, self->state, change{agent_state::idle, "finished"}))
          return err;
        take_next(self);
        return caf::unit;
      },
      [self](quota_atom, quota_reason why) -> caf::result<void> {
        auto& st = self->state;
        return reply(go_exhausted(self, st, why, st.settings.default_recovery));
      },
      [self](quota_atom, quota_reason why, duration retry_after) -> caf::result<void> {
        return reply(go_exhausted(self, self->state, why, retry_after));
      },
  }
      .or_else(common(self));
}

caf::behavior exhausted(self_ptr self) {
  return caf::message_handler{
      [self](recover_atom, time_point at) {
        if (recover(self, self->state, at))
          take_next(self);
      },
  }
      .or_else(common(self));
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

/// While hung nothing is answered: every message but the wake is skipped, so it waits
/// in the mailbox (CAF returns skipped messages to the front, in order, once one is
/// consumed). Exit messages never get here (CAF takes them first): a hung agent still
/// dies. Its pacer ticks a member with an unanswered tick no more, so one tick waits.
caf::result<caf::message> while_hung(self_ptr self, const caf::type_erased_tuple& msg) {
  if (msg.match_elements<wake_atom>()) {
    auto& st = self->state;
    st.hung = false;
    agent_log().debug("agent {} wakes", st.id);
    // A beat at once, straight to the supervisor: an answer to the waiting tick would
    // travel only with the pacer's next batch. Spawning: nothing to beat with yet.
    if (st.current != agent_state::spawning)
      send_beat(self, self->state);
    return caf::message{};
  }
  if (msg.match_elements<hang_atom>())
    return caf::message{}; // hung already; kept, it would hang us again after the wake
  return caf::skip;
}

caf::result<caf::message> by_state(caf::scheduled_actor* ptr, caf::message_view& x) {
  auto self = static_cast<self_ptr>(ptr);
  auto& msg = x.content();
  if (self->state.hung)
    return while_hung(self, msg);
  // The beats build nothing, and answer nothing (no promise made either).
  if (msg.match_elements<beat_atom, uint32_t, uint32_t>()) { // the hot path
    answer_tick(self, self->state, msg.get_as<uint32_t>(1), msg.get_as<uint32_t>(2));
    return caf::delegated<caf::message>{};
  }
  if (msg.match_elements<beat_atom>()) {
    own_beat(self, self->state);
    return caf::delegated<caf::message>{};
  }
  if (msg.match_elements<hang_atom>()) {
    self->state.hung = true;
    agent_log().debug("agent {} hangs", self->state.id);
    return caf::message{};
  }
  if (msg.match_elements<wake_atom>())
    return caf::message{};         // not hung
  auto bhvr = behaviour_for(self); // held here while it runs: it may change the state
  if (auto answer = bhvr(x.content()))
    return std::move(*answer);
  return caf::print_and_drop(ptr, x);
}

} // namespace vigil::detail::agent
