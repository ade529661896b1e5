// Every atom vigil sends (CAF 0.17 atoms: at most 10 characters of [A-Za-z0-9_]).
#pragma once

#include <caf/atom.hpp>

namespace vigil {

using caf::get_atom;

// Work code -> agent.
using slot_atom = caf::atom_constant<caf::atom("slot")>;         ///< Offer a slot.
using finish_atom = caf::atom_constant<caf::atom("finish")>;     ///< Slot work done.
using quota_atom = caf::atom_constant<caf::atom("quota")>;       ///< Quota error hit.
using activity_atom = caf::atom_constant<caf::atom("activity")>; ///< Produced output.
using complete_atom = caf::atom_constant<caf::atom("complete")>; ///< Finished for good.
using fail_atom = caf::atom_constant<caf::atom("fail")>;         ///< Ended by an error.
using kill_atom = caf::atom_constant<caf::atom("kill")>;         ///< Stop on request.

// Queries and commands -> supervisor.
using status_atom = caf::atom_constant<caf::atom("status")>; ///< One agent or all.
using count_atom = caf::atom_constant<caf::atom("count")>;   ///< Counts by state.
using stats_atom = caf::atom_constant<caf::atom("stats")>;   ///< The supervisor's own.
using metrics_atom = caf::atom_constant<caf::atom("metrics")>; ///< For a scrape.
using page_atom = caf::atom_constant<caf::atom("page")>;       ///< A page of agents.
using detail_atom = caf::atom_constant<caf::atom("detail")>;   ///< One agent, in full.
using nodes_atom = caf::atom_constant<caf::atom("nodes")>;     ///< Nodes and agents.
using pause_atom = caf::atom_constant<caf::atom("pause")>; ///< Stop liveness counting.
using resume_atom = caf::atom_constant<caf::atom("resume")>; ///< Resume (a fresh beat).
using ack_atom = caf::atom_constant<caf::atom("ack")>; ///< Subscriber read up to seq.
/// The process that runs a supervisor -> it: end in order (see `supervisor_owner`).
using stop_atom = caf::atom_constant<caf::atom("stop")>;

// Agent -> work code.
using work_atom = caf::atom_constant<caf::atom("work")>; ///< A slot starts now.

// Agent -> itself (delayed messages). The internal atoms carry a `vgl_` prefix: an
// attached agent's handlers sit in a user's actor (attached_agent.hpp), where a plain
// `beat` or `recover` of the user's own would be shadowed by them.
using beat_atom = caf::atom_constant<caf::atom("vgl_beat")>; ///< Send a heartbeat.
using recover_atom =
    caf::atom_constant<caf::atom("vgl_recov")>; ///< recovery_at reached.
/// Send the coalesced activity report.
using activity_flush_atom = caf::atom_constant<caf::atom("vgl_flush")>;

// A simulator (vigil-sim) -> agent: `hang_atom` makes the agent actor itself stuck (it
// answers nothing until `wake_atom`, which it answers with a beat at once).
using hang_atom = caf::atom_constant<caf::atom("hang")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;

// Agent <-> its node's pacer: `pace_atom, key, secret, interval, slot` joins (see
// pacer.hpp); the pacer's tick to the agent is `beat_atom, ticket, token`, answered
// with `beat_atom, ticket, token, state, version`.
using pace_atom = caf::atom_constant<caf::atom("vgl_pace")>;

// A node's uplink -> its agents and pacer: `supervisor_atom, handle` is the supervisor
// to talk to from now on (after a reconnect: a new proxy, maybe a restarted one).
using supervisor_atom = caf::atom_constant<caf::atom("vgl_sup")>;

// A node -> a published supervisor's gate: `pace_atom` asks how often the node must
// send something for its connection to stay up (the supervisor's connection
// heartbeat); `keepalive_atom` is that something, when it has nothing else to send.
using keepalive_atom = caf::atom_constant<caf::atom("keepalive")>;

// Supervisor -> its store writer: `store_atom, std::vector<event>` to commit.
using store_atom = caf::atom_constant<caf::atom("store")>;

// Supervisor -> itself (delayed messages).
using deadline_atom = caf::atom_constant<caf::atom("deadline")>; ///< A liveness check.
using purge_atom = caf::atom_constant<caf::atom("purge")>;       ///< Retention is over.
using lost_atom = caf::atom_constant<caf::atom("lost")>; ///< offline_retention is over.
using watchdog_atom =
    caf::atom_constant<caf::atom("watchdog")>; ///< A watchdog deadline.

} // namespace vigil
