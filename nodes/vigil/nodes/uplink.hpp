// A node's link to a remote supervisor: connects, notices a lost connection, reconnects
// with capped exponential backoff and jitter, and hands the new supervisor to the
// node's agents and pacer, which then register again (DESIGN §7).
#pragma once

#include <cstdint>
#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "vigil/actors/agent.hpp"
#include "vigil/actors/pacer.hpp"
#include "vigil/actors/spawner.hpp"
#include "vigil/messages/agent_facing_supervisor.hpp"
#include "vigil/messages/atoms.hpp"
#include "vigil/messages/stop_stage.hpp"

namespace vigil {

/// - `get_atom`: the supervisor, as soon as there is a connection (at once when
///   connected, else when it connects).
/// - `caf::join_atom, agent, supervisor`: hand this agent (spawned with `supervisor`,
///   the handle `get_atom` gave) the supervisor after each reconnect, so it registers
///   again; at once if a reconnect came in between (a reconnect gives a new handle).
/// - `caf::join_atom, pacer`: the same for the node's pacer (where batches go).
/// - `caf::join_atom, spawner, supervisor`: the same for the node's spawner (spawned
///   with `supervisor`, the handle `get_atom` gave): after each reconnect it gets the
///   new supervisor at once, offers itself to it again (a supervisor forgets an offer
///   whose spawner it can no longer reach) and starts new lives with it; it hands the
///   new supervisor to the lives it started itself (the uplink spreads only the agents
///   joined here).
/// Members are forgotten when they end.
using uplink_actor = caf::typed_actor<
    caf::replies_to<get_atom>::with<agent_facing_supervisor>,
    caf::reacts_to<caf::join_atom, agent_actor, agent_facing_supervisor>,
    caf::reacts_to<caf::join_atom, pacer_actor>,
    caf::reacts_to<caf::join_atom, node_spawner_actor, agent_facing_supervisor>>;

struct uplink_options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  /// One connection attempt may take this long.
  duration connect_timeout = std::chrono::seconds(5);
  /// The pause after the first failed attempt; it doubles per failure up to
  /// `backoff_max`. Each pause is drawn from [half, all] of that (jitter), so nodes
  /// that lost the same supervisor do not come back in lockstep.
  duration backoff_min = std::chrono::milliseconds(100);
  duration backoff_max = std::chrono::seconds(10);
  /// After a reconnect, agents get the new supervisor spread over this span, so a
  /// node's re-registrations do not arrive as one wave.
  duration rejoin_spread = std::chrono::milliseconds(500);
};

/// Spawns an uplink that starts connecting at once (over TLS when the system was
/// configured with it). Fails with `errc::bad_config` for an empty host, port 0, or
/// non-positive times, or `backoff_max < backoff_min`. Stop it with an exit message.
caf::expected<uplink_actor> spawn_uplink(caf::actor_system& sys,
                                         uplink_options options);

template <>
struct stop_stage_of<uplink_actor> {
  static constexpr stop_stage value = stop_stage::links;
};

} // namespace vigil
