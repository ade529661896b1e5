// Internals of vigil's agent actor, shared by its source files: its state (the core
// every agent has, plus its worker and slot queue), and the steps that change it.
#pragma once

#include <cstdint>
#include <forward_list>
#include <string>

#include <caf/behavior.hpp>
#include <caf/stateful_actor.hpp>

#include "agent_core.hpp"

namespace vigil::detail::agent {

struct pending_slot {
  slot_kind kind;
  std::string task;
};

struct agent_actor_state : agent_core {
  static inline const char* name = "vigil.agent";

  agent_actor_state() = default;
  agent_actor_state(const agent_actor_state&) = delete;
  agent_actor_state& operator=(const agent_actor_state&) = delete;

  /// However the agent ends (CAF destroys the state as the actor exits: complete,
  /// fail, kill, an exit message, a refused registration), it ends the worker it owns
  /// and says which accepted slots will not start.
  ~agent_actor_state();

  caf::actor worker;
  /// A forward list, not a deque or a list: an empty libstdc++ deque allocates about
  /// 600 B up front, a list takes 24 B in the actor, this 8 (appending walks a queue
  /// of at most `slot_queue` entries), and most of a large fleet idles with nothing
  /// queued. Every 8 B here decides whether the actor fits a 1,280 B allocation.
  std::forward_list<pending_slot> queue;
};

using self_ptr = caf::stateful_actor<agent_actor_state>*;

/// Back in idle: the next queued slot starts at once.
void take_next(self_ptr self);

/// `take_next` as the core's idle hook.
void take_next_hook(actor_ptr self, agent_core& st);

/// The one behaviour the actor holds, shared by every agent. It matches nothing: CAF
/// needs a behaviour to keep an actor alive, and the messages all go to `by_state`.
caf::behavior held_behaviour();

/// The actor's default handler, which gets every message: the heartbeat tick directly,
/// the rest through the behaviour of the current state, built for the message (the
/// caller needs no `become` on a transition). Those handlers answer at once (a value,
/// an error or nothing): a response promise or a delegation would turn into an
/// immediate empty reply here, so none may use one.
caf::result<caf::message> by_state(caf::scheduled_actor* self, caf::message_view& x);

} // namespace vigil::detail::agent
