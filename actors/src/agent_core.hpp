// What every supervised agent does, whichever actor it lives in: register with the
// supervisor, beat (by its own timer or to its pacer's ticks), report the transitions
// it decides, coalesce activity, recover from exhausted, end. vigil's agent actor
// (agent.cpp) and a user's own actor attached as an agent (attached_agent.cpp) both run
// on these functions; each keeps an `agent_core` in its own memory.
#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/optional.hpp>
#include <spdlog/fwd.h>

#include "vigil/actors/agent.hpp"
#include "vigil/messages/interned.hpp"

namespace vigil::detail::agent {

struct agent_core {
  // The options, as fields. Type and node are interned: a fleet has a handful of each,
  // and with two pointers for two strings the agent actor fits a 1,280 B allocation
  // (under jemalloc the next size up is 1,536 B).
  std::string id;
  interned_name type;
  interned_name node;
  agent_settings settings;
  pacer_actor pacer;
  agent_facing_supervisor supervisor;
  uint64_t key = 0;         ///< From the supervisor's `registration_ack`.
  life_token token;         ///< This life's, from the answer: every message carries it.
  uint64_t beat_secret = 0; ///< For the pacer's beats, from the answer.
  /// The node's key (interned: one per node), shown with every registration; null:
  /// none.
  interned_name node_key;
  uint64_t version = 0;
  /// While exhausted: when it recovers (max: not exhausted). Fields here are paid a
  /// million times over in a large fleet: no optionals where a sentinel says it.
  time_point recovery_at = time_point::max();
  // Activity coalescing (DESIGN §6: no report storm when output is continuous).
  time_point last_activity;
  time_point last_activity_sent = time_point::min(); ///< min: none in this slot.
  agent_state current = agent_state::spawning;
  // Flags as bits, and a 16-bit round: with the pacer slot the core ends on an 8 B
  // boundary, and vigil's agent actor state stays at 192 B.
  bool activity_flush_pending : 1;
  /// Registered again with the token an earlier round's answer brought (a reconnect
  /// raced our first registration): once, so that a real duplicate still ends us.
  bool retried_with_token : 1;
  bool joining : 1;    ///< A join request to the pacer is out.
  bool join_again : 1; ///< Registered again meanwhile: join again once it is answered.
  // The next two belong to vigil's agent actor (agent_state.hpp); here because a spare
  // bit costs nothing and 8 B more in the actor would.
  /// Stuck on purpose (`hang_atom`): every message but `wake_atom` waits, skipped.
  bool hung : 1;
  /// Ends `worker` when it ends (`agent_options::owns_worker`).
  bool owns_worker : 1;
  /// Counts registrations: only the answer to the latest one counts (CAF handles of
  /// two connections to one supervisor compare equal, so the handle cannot tell). It
  /// wraps after 65,536 registrations; only equality with the latest matters.
  uint16_t registration_round = 0;
  /// Our slot at the pacer (`no_pacer_slot`: none yet): a join after a
  /// re-registration names it, so the pacer keeps our phase without a map of agents.
  uint32_t pacer_slot = no_pacer_slot;

  agent_core()
      : activity_flush_pending(false), retried_with_token(false), joining(false),
        join_again(false), hung(false), owns_worker(false) {}

  /// Takes id, type, node, settings, node key and pacer from `opts`.
  void adopt(agent_options& opts, agent_facing_supervisor sup);
};

/// The actor an agent core lives in: vigil's agent actor, or the user's own.
using actor_ptr = caf::event_based_actor*;

/// Runs after a transition to idle that the core made itself (the registration's
/// answer): vigil's agent starts the next queued slot. Null: nothing.
using idle_hook = void (*)(actor_ptr self, agent_core& st);

/// The `vigil` logger (`log()`), kept once per thread: spdlog's registry takes a lock
/// per lookup, and agents log on every transition. Fetched again after `set_log`.
spdlog::logger& agent_log();

/// Whether the message `self` is handling is one it sent itself: its timers (own beat,
/// recovery, activity flush) count only then. Anyone may send an actor these atoms;
/// a second `beat_atom` chain from outside would multiply the beats for good.
bool from_self(actor_ptr self);

/// Whether the message `self` is handling comes from a named actor of its own node:
/// a new supervisor (`supervisor_atom`) comes from the node's uplink, never from a
/// peer or anonymously (a peer could take the agent's registration, with its life
/// token and node key, DESIGN §11).
bool from_own_node(actor_ptr self);

/// Details a transition may carry to the supervisor.
struct change {
  agent_state to;
  std::string reason;
  std::string error = {};
  caf::optional<duration> recovery_in = caf::none;
  bool report = true; ///< False when the supervisor refused us: it is not ours to tell.
};

/// The one place the lifecycle state changes: asks the table, bumps the version,
/// reports to the supervisor.
caf::error enter(actor_ptr self, agent_core& st, change c);

/// Ends the agent in a terminal state and quits the actor with the matching exit
/// reason (normal, `user_shutdown`, `errc::agent_failed`).
caf::error end(actor_ptr self, agent_core& st, agent_state to, std::string reason,
               std::string error, bool report = true);

/// Goes exhausted until now + `retry_after` (clamped to [0, a year]); a
/// `recover_atom` to `self` brings it back.
caf::error go_exhausted(actor_ptr self, agent_core& st, quota_reason why,
                        duration retry_after);

/// The error for a quota report in a state that cannot go exhausted.
caf::error refuse_quota(const agent_core& st);

/// `recover_atom, at`: back to idle when `at` is this episode's recovery. True when it
/// went idle.
bool recover(actor_ptr self, agent_core& st, time_point at);

/// Output from the work while working, coalesced (DESIGN §6).
void note_activity(actor_ptr self, agent_core& st);

/// `activity_flush_atom`: sends the coalesced report.
void flush_activity(actor_ptr self, agent_core& st);

/// Resets coalescing for a new slot: nothing carries over from the last one.
void reset_activity(agent_core& st);

/// A child report while working: forwarded with the agent's id and token.
void forward_children(actor_ptr self, agent_core& st, child_report x);

/// A heartbeat straight to the supervisor.
void send_beat(actor_ptr self, agent_core& st);

/// The pacer's tick (`beat_atom, ticket, token`), answered to the pacer without a
/// sender (pacer.hpp).
void answer_tick(actor_ptr self, agent_core& st, uint32_t ticket, uint32_t token);

/// Our own beat timer (`beat_atom`), while we have no pacer.
void own_beat(actor_ptr self, agent_core& st);

/// Arms `beat_atom` to `self`, one interval from now: without a pacer, and after
/// losing one.
void arm_own_beat(actor_ptr self, agent_core& st);

/// `pace_atom, address`: a pacer ended; ours: beat by ourselves.
void pacer_ended(actor_ptr self, agent_core& st, const caf::actor_addr& pacer);

/// The agent's own view (`get_atom`).
agent_view view_of(const agent_core& st, uint32_t queued);

/// Registers with the current supervisor (agent_link.cpp).
void register_self(actor_ptr self, agent_core& st, idle_hook on_idle);

/// A supervisor handle after a reconnect: talk to it from now on, and register again.
void rejoin(actor_ptr self, agent_core& st, agent_facing_supervisor sup,
            idle_hook on_idle);

/// Asks the pacer to tick us from now on (again, after a re-registration: new key).
/// A pacer that is gone already answers with an error: we beat by ourselves.
void join_pacer(actor_ptr self, agent_core& st);

/// Our pacer is gone (`why`): beat by ourselves rather than go silent.
void lose_pacer(actor_ptr self, agent_core& st, const std::string& why);

} // namespace vigil::detail::agent
