// The gate: the one actor a published supervisor shows to the network (DESIGN §11).
// Peers never get the supervisor's handle; the gate forwards what each role may send.
#pragma once

#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "vigil/messages/credentials.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil {

/// What a peer may send a published supervisor, by role:
///
/// - *agent nodes*: what `agent_facing_supervisor` lists. Registrations are relayed
///   on behalf of the sending agent actor; everything an agent sends after that
///   carries its life token, which the supervisor checks (beats in a pacer's batch:
///   the life's beat secret).
/// - *observers*: what `supervisor_observer` lists. A subscription is served by a
///   relay actor of the gate, so events reach the subscriber in order and the
///   supervisor never sends to a peer.
/// - *commanders*: `kill_atom | pause_atom | resume_atom, id, credential`, where the
///   credential is the commander credential the gate was given (compared in constant
///   time). With none configured, every command is refused, on loopback too. After
///   10 failed commands within a second, commands are refused unchecked for the rest
///   of that second (no online guessing).
/// - every node: `pace_atom` -> how often to send something (the supervisor's
///   connection heartbeat interval), and `keepalive_atom`, which is that something.
///
/// Every value is checked before it is forwarded (`inbound_checks.hpp`); refusals are
/// errors to requests, and logged at most once a second per peer and reason. Anything
/// else (the supervisor's internal messages, exit messages) is dropped.
using supervisor_gate =
    supervisor_observer::extend_with<agent_facing_supervisor>::extend<
        caf::replies_to<kill_atom, std::string, credential>::with<void>,
        caf::replies_to<pause_atom, std::string, credential>::with<void>,
        caf::replies_to<resume_atom, std::string, credential>::with<void>,
        caf::replies_to<pace_atom>::with<duration>, caf::reacts_to<keepalive_atom>>;

struct gate_options {
  /// The commander credential; empty: commands are refused.
  credential commander;
  /// How often a node must send something (answered to `pace_atom`).
  duration keepalive = std::chrono::seconds(5);
  /// Remote subscribers at most (each has a relay actor); past it a subscription is
  /// refused with `errc::invalid_request` until one leaves.
  size_t max_subscribers = 1024;
  /// Requests forwarded to the supervisor and not answered yet, at most; past it a
  /// request is refused at once (`errc::invalid_request`), so that peers cannot queue
  /// unbounded work (say, full status lists) in front of the fleet's beats.
  size_t max_in_flight = 4096;
};

/// Spawns a gate in front of `supervisor`. It ends when the supervisor ends, or on
/// `stop_gate`; exit messages (of any reason: a peer can send one) never reach it.
/// Fails with `errc::bad_config` for a null supervisor, a non-positive keepalive, a
/// zero `max_subscribers` or `max_in_flight`, or a commander credential shorter than
/// `min_credential_bytes` or longer than `max_credential_bytes`.
caf::expected<supervisor_gate>
spawn_gate(caf::actor_system& sys, supervisor_actor supervisor, gate_options options);

/// Ends a gate from inside its process (a message no peer can send).
void stop_gate(const supervisor_gate& gate);

} // namespace vigil
