// Internals of the agent actor, shared by its source files: its state, and the steps
// that change it.
#pragma once

#include <cstdint>
#include <forward_list>
#include <memory>
#include <string>

#include <caf/behavior.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/fwd.h>

#include "vigil/actors/agent.hpp"
#include "vigil/messages/interned.hpp"

namespace vigil::detail::agent {

struct pending_slot {
  slot_kind kind;
  std::string task;
};

struct agent_actor_state {
  static inline const char* name = "vigil.agent";
  // The options, as fields. Type and node are interned: a fleet has a handful of each,
  // and with two pointers for two strings the actor fits a 1,280 B allocation (under
  // jemalloc the next size up is 1,536 B).
  std::string id;
  interned_name type;
  interned_name node;
  agent_settings settings;
  caf::actor worker;
  pacer_actor pacer;
  agent_facing_supervisor supervisor;
  uint64_t key = 0;         ///< From the supervisor's `registration_ack`.
  life_token token;         ///< This life's, from the answer: every message carries it.
  uint64_t beat_secret = 0; ///< For the pacer's beats, from the answer.
  /// The node's key (interned: one per node), shown with every registration; null:
  /// none.
  interned_name node_key;
  uint64_t version = 0;
  /// A forward list, not a deque or a list: an empty libstdc++ deque allocates about
  /// 600 B up front, a list takes 24 B in the actor, this 8 (appending walks a queue
  /// of at most `slot_queue` entries), and most of a large fleet idles with nothing
  /// queued. Every 8 B here decides whether the actor fits a 1,280 B allocation.
  std::forward_list<pending_slot> queue;
  /// While exhausted: when it recovers (max: not exhausted). Fields here are paid a
  /// million times over in a large fleet: no optionals where a sentinel says it.
  time_point recovery_at = time_point::max();
  // Activity coalescing (DESIGN §6: no report storm when output is continuous).
  time_point last_activity;
  time_point last_activity_sent = time_point::min(); ///< min: none in this slot.
  agent_state current = agent_state::spawning;
  // Flags as bits, and a 16-bit round: with the pacer slot the state stays at 192 B.
  bool activity_flush_pending : 1;
  /// Registered again with the token an earlier round's answer brought (a reconnect
  /// raced our first registration): once, so that a real duplicate still ends us.
  bool retried_with_token : 1;
  bool joining : 1;    ///< A join request to the pacer is out.
  bool join_again : 1; ///< Registered again meanwhile: join again once it is answered.
  /// Stuck on purpose (`hang_atom`): every message but `wake_atom` waits, skipped.
  bool hung : 1;
  /// Counts registrations: only the answer to the latest one counts (CAF handles of
  /// two connections to one supervisor compare equal, so the handle cannot tell). It
  /// wraps after 65,536 registrations; only equality with the latest matters.
  uint16_t registration_round = 0;
  /// Our slot at the pacer (`no_pacer_slot`: none yet): a join after a
  /// re-registration names it, so the pacer keeps our phase without a map of agents.
  uint32_t pacer_slot = no_pacer_slot;

  agent_actor_state()
      : activity_flush_pending(false), retried_with_token(false), joining(false),
        join_again(false), hung(false) {}
};

using self_ptr = caf::stateful_actor<agent_actor_state>*;

/// The `vigil` logger (`log()`), kept once per thread: spdlog's registry takes a lock
/// per lookup, and agents log on every transition. Fetched again after `set_log`.
spdlog::logger& agent_log();

/// Details a transition may carry to the supervisor.
struct change {
  agent_state to;
  std::string reason;
  std::string error = {};
  caf::optional<duration> recovery_in = caf::none;
  bool report = true; ///< False when the supervisor refused us: it is not ours to tell.
};

/// The one place the lifecycle state changes: asks the table, bumps the version,
/// reports to the supervisor (the next message finds the new state's behaviour).
caf::error enter(self_ptr self, change c);

/// Ends the agent in a terminal state and quits with the matching exit reason.
caf::error end(self_ptr self, agent_state to, std::string reason, std::string error,
               bool report = true);

/// Back in idle: the next queued slot starts at once.
void take_next(self_ptr self);

/// The behaviour of the current state, for every message but the tick.
caf::behavior behaviour_for(self_ptr self);

/// Our own beat timer (`beat_atom`), one interval from now: without a pacer, and after
/// losing one.
void arm_own_beat(self_ptr self);

/// The one behaviour the actor holds, shared by every agent. It matches nothing: CAF
/// needs a behaviour to keep an actor alive, and the messages all go to `by_state`.
caf::behavior held_behaviour();

/// The actor's default handler, which gets every message: the heartbeat tick directly,
/// the rest through the behaviour of the current state, built for the message (the
/// caller needs no `become` on a transition). Those handlers answer at once (a value,
/// an error or nothing): a response promise or a delegation would turn into an
/// immediate empty reply here, so none may use one.
caf::result<caf::message> by_state(caf::scheduled_actor* self, caf::message_view& x);

/// Asks the pacer to tick us from now on (again, after a re-registration: new key).
/// A pacer that is gone already answers with an error: we beat by ourselves.
void join_pacer(self_ptr self);

/// Our pacer is gone (`why`): beat by ourselves rather than go silent.
void lose_pacer(self_ptr self, const std::string& why);

/// Registers with the current supervisor (agent_link.cpp).
void register_self(self_ptr self);

/// A supervisor handle after a reconnect: talk to it from now on, and register again.
void rejoin(self_ptr self, agent_facing_supervisor sup);

} // namespace vigil::detail::agent
