// The agent actor: one lifecycle state per behaviour (DESIGN §2, §3).
// The behaviour is chosen per message from the state (`by_state` in agent.cpp) rather
// than switched with `become`, because an agent's own behaviour object costs about
// 650 B per agent (measured: 100,000 actors holding the 17 handlers of `idle` took
// 1.98 kB of RSS each against 1.34 kB; 650 MB at a million agents) plus a heap
// allocation at every switch. The price is building one for each message other than
// a beat; beats, the pacer's ticks included, build nothing.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "vigil/actors/pacer.hpp"
#include "vigil/config/agent_settings.hpp"
#include "vigil/messages/agent_facing_supervisor.hpp"
#include "vigil/messages/agent_view.hpp"
#include "vigil/messages/atoms.hpp"
#include "vigil/messages/quota_reason.hpp"
#include "vigil/messages/slot_kind.hpp"
#include "vigil/messages/stop_stage.hpp"

namespace vigil {

/// What the user's work code may tell an agent. Every request is answered: with the
/// outcome, or with an error (`invalid_transition` naming the agent, its state and
/// what is allowed; `queue_full`) that leaves the agent unchanged.
///
/// - `slot_atom, kind, task`: take a slot now (idle) or queue it (spawning, busy,
///   on_call); `exhausted` refuses.
/// - `finish_atom`: the current slot is done; the next queued one starts at once.
/// - `quota_atom, reason [, retry_after]`: go exhausted until now + retry_after (else
///   the default recovery), then idle again.
/// - `activity_atom`: the work produced output (forwarded to the supervisor's watchdog
///   while working, coalesced to one report per `activity_report_interval`).
/// - `child_report`: the work waits on child processes (forwarded while working; the
///   agent fills in its id).
/// - `complete_atom`, `fail_atom, error`, `kill_atom`: end in completed, failed or
///   killed; the actor quits with exit reason normal, `errc::agent_failed` or
///   `user_shutdown`.
/// - `get_atom`: the agent's own view.
/// - `supervisor_atom, handle`: talk to this supervisor from now on (a node's uplink
///   sends it after a reconnect); the agent registers again with the state and
///   version it kept. Losing its supervisor changes nothing else. Taken only from a
///   named actor of the agent's own node: one from another node or without a sender
///   is ignored (it would get the agent's life token and node key).
/// - `hang_atom`: be stuck (a simulator's fault): answer nothing from now on, neither
///   the pacer's ticks nor requests, send no beat of its own, and keep every other
///   message waiting in the mailbox, until `wake_atom`. Exit messages, and its
///   worker's death, still end it.
///   Answers to its own earlier requests still land (CAF matches them first).
/// - `wake_atom`: no longer stuck: beat to the supervisor at once, then take the
///   messages that waited, in the order they came (the tick left unanswered first).
using agent_actor = caf::typed_actor<
    caf::replies_to<slot_atom, slot_kind, std::string>::with<slot_outcome>,
    caf::reacts_to<finish_atom>, caf::reacts_to<quota_atom, quota_reason>,
    caf::reacts_to<quota_atom, quota_reason, duration>, caf::reacts_to<activity_atom>,
    caf::reacts_to<child_report>, caf::reacts_to<complete_atom>,
    caf::reacts_to<fail_atom, std::string>, caf::reacts_to<kill_atom>,
    caf::replies_to<get_atom>::with<agent_view>,
    caf::reacts_to<supervisor_atom, agent_facing_supervisor>, caf::reacts_to<hang_atom>,
    caf::reacts_to<wake_atom>>;

/// Who an agent is and how it behaves.
struct agent_options {
  agent_options() = default;
  explicit agent_options(std::string id, std::string type = "default",
                         std::string node = "local")
      : id(std::move(id)), type(std::move(type)), node(std::move(node)) {}

  std::string id;
  std::string type = "default";
  std::string node = "local";
  agent_settings settings;
  /// Optional: the user's work code. When a slot starts, the agent sends it
  /// `(work_atom, slot_kind, task)`; it does the work asynchronously and answers with
  /// `finish_atom` (or quota / fail) to the agent. Without it, the code that offered
  /// the slot drives the agent directly.
  ///
  /// The agent monitors it: a worker that goes down (even normally: the agent can no
  /// longer work) ends the agent `failed`, with reason `worker:<exit reason>` (e.g.
  /// `worker:runtime_error`, `worker:normal`) and error text `worker exited: <the
  /// reason, rendered>`. The monitor lives in the worker: about 50 B per agent.
  caf::actor worker;
  /// Whether the agent owns `worker`: when the agent ends (however: complete, fail,
  /// kill, an exit message, a refused registration), it ends the worker it owns with
  /// an exit message (`user_shutdown`). Set false for a worker many agents share: it
  /// outlives them (and its death still fails each of them).
  bool owns_worker = true;
  /// Optional: the node's key (`vigil-node agents --node-key FILE`), shown with every
  /// registration. With it, a new process of the same node may take the agent's id
  /// back once this life is lost (DESIGN §11). Empty: none.
  credential node_key;
  /// Optional: the node's pacer (see `spawn_pacer`). With it the agent keeps no beat
  /// timer of its own: it answers the pacer's ticks, and the pacer batches the
  /// answers to the supervisor. Without it the agent beats by itself.
  pacer_actor pacer;
};

/// Spawns an agent that registers with `supervisor`, beats at the interval the
/// supervisor's answer names for its type (`settings.heartbeat_interval` only until
/// then, and with a supervisor that names none) and reports each transition it decides.
/// Everything it sends carries the life token from that answer. It is idle
/// once the supervisor accepted the registration; a refused registration ends it
/// `failed` (`errc::superseded`, a newer life of the id, is never retried). An exit
/// message ends it at once with that reason and no report: its node's orderly
/// shutdown sends `node_shutdown_reason(node)`. Slots offered before that wait in the
/// queue. Fails with `errc::bad_config` for an empty id, a null supervisor or settings
/// that make no sense.
caf::expected<agent_actor> spawn_agent(caf::actor_system& sys,
                                       agent_facing_supervisor supervisor,
                                       agent_options options);

template <>
struct stop_stage_of<agent_actor> {
  static constexpr stop_stage value = stop_stage::agents;
};

} // namespace vigil
