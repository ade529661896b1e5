// A node's spawner (DESIGN §12): the supervisor decides a restart, the node carries it
// out, because only a node can spawn its own actors. Built from the user's factory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "vigil/actors/agent.hpp"
#include "vigil/actors/pacer.hpp"
#include "vigil/messages/agent_facing_supervisor.hpp"
#include "vigil/messages/atoms.hpp"
#include "vigil/messages/credentials.hpp"
#include "vigil/messages/spawner_messages.hpp"
#include "vigil/messages/stop_stage.hpp"

namespace vigil {

/// Makes the options of a new life of `id` (of `type`): the worker, the settings. The
/// spawner fills in what the factory left at its default (`id`, `type`, `node` when
/// empty or `"local"`, `node_key`, `pacer`) from the request and its own options, and
/// spawns it with `spawn_agent` to its current supervisor. An error (or an exception)
/// is logged with the id; nothing is spawned then.
using agent_factory = std::function<caf::expected<agent_options>(
    const std::string& id, const std::string& type)>;

/// Spawns the user's own actor as the new life of `id` (of `type`): the actor calls
/// `attach_agent(self, supervisor, options)` itself, with this supervisor, this id and
/// type, and the spawner's node. An error (or an exception) is logged with the id.
using actor_factory = std::function<caf::expected<caf::actor>(
    caf::actor_system& sys, agent_facing_supervisor supervisor, const std::string& id,
    const std::string& type)>;

/// How a spawner's offer stands with its current supervisor.
enum class offer_state : uint8_t {
  pending,  ///< Sent, not answered yet.
  accepted, ///< The supervisor takes it: it may ask for new lives.
  refused, ///< Refused (or not answered in time): `spawner_view::offer_error` says why.
};

/// A spawner as it sees itself (`get_atom`).
struct spawner_view {
  std::string node;
  std::vector<std::string> types;
  offer_state offer = offer_state::pending;
  std::string offer_error; ///< Why the last offer was refused, rendered; else empty.
  uint64_t offers = 0;     ///< Offers sent (one at spawn, one per new supervisor).
  uint64_t spawned = 0;    ///< New lives started.
  uint64_t refused = 0;    ///< Requests refused (wrong type, sender, value; stopping).
  uint64_t failed = 0;     ///< Requests whose factory or spawn failed.
  uint32_t running = 0;    ///< Lives it started that still run.
};

/// @relates spawner_view
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spawner_view& x) {
  return f(caf::meta::type_name("vigil.spawner_view"), x.node, x.types, x.offer,
           x.offer_error, x.offers, x.spawned, x.refused, x.failed, x.running);
}

/// Who a spawner is and what it offers.
struct spawner_options {
  /// The node it spawns on; the new lives report it. An agent node offers only for
  /// itself (the supervisor checks `node_key` against the node's pinned key).
  std::string node = "local";
  /// The agent types it offers to start (1 to `max_offer_types`).
  std::vector<std::string> types;
  /// The node's key, shown with the offer and given to each new life.
  credential node_key;
  /// The node's pacer, given to each new life (optional).
  pacer_actor pacer;
  /// Called with each new life as it starts (on the spawner's thread: do not block,
  /// and do not touch a `fleet_scope`, which is not thread-safe). Optional: the
  /// spawner keeps track of its lives itself (see `spawn_spawner`).
  std::function<void(const std::string& id, const caf::actor& life)> on_spawned;
  /// Called when a supervisor refuses the offer (or does not answer it within
  /// `offer_timeout`), with the error; it is logged as well. Optional.
  std::function<void(const caf::error& why)> on_refused;
  /// How long an offer may wait for its answer (the supervisor may be remote).
  duration offer_timeout = std::chrono::seconds(10);
};

/// The spawner as its own node holds it: what the supervisor may send
/// (`spawner_actor`), plus, from actors of its own node only:
/// - `supervisor_atom, handle`: a new supervisor (the uplink's, after a reconnect):
///   the spawner offers itself to it and spawns new lives with it from now on;
/// - `get_atom`: its view.
using node_spawner_actor =
    spawner_actor::extend<caf::reacts_to<supervisor_atom, agent_facing_supervisor>,
                          caf::replies_to<get_atom>::with<spawner_view>>;

/// Spawns a spawner that offers itself to `supervisor` (`spawner_offer`) at once, and
/// again whenever it is handed a new supervisor. A refused offer is logged at error,
/// shown in its view and passed to `on_refused`; the spawner stays and offers again to
/// the next supervisor it is handed.
///
/// On a `spawn_request` it starts a new life of the id with the factory. It refuses
/// (logged, at most a line a second per reason) a request for a type it does not
/// offer, a request with bad values, a request while it stops, and one sent by a
/// named actor of another process: the supervisor sends requests without a sender.
///
/// It owns the lives it starts: it watches them, and when it gets an exit message
/// (from an actor of its own node; a peer's is ignored) it stops taking requests, ends
/// every life it started with `node_shutdown_reason(node)`, and quits (with the exit's
/// reason) once they have ended. So a `fleet_scope` that holds the spawner ends its
/// lives too (in its agents stage); `on_spawned` is for a program that wants to see
/// them. A life that traps exits and does not quit holds the spawner until it ends.
///
/// Fails with `errc::bad_config` for a null supervisor or factory, an empty node, no
/// types (or more than `max_offer_types`), an empty or overlong type or node name, or
/// a non-positive `offer_timeout`.
caf::expected<node_spawner_actor> spawn_spawner(caf::actor_system& sys,
                                                agent_facing_supervisor supervisor,
                                                spawner_options options,
                                                agent_factory factory);

/// The same with a factory of the user's own actors (attached agents).
caf::expected<node_spawner_actor> spawn_spawner(caf::actor_system& sys,
                                                agent_facing_supervisor supervisor,
                                                spawner_options options,
                                                actor_factory factory);

/// @relates offer_state
std::string to_string(offer_state x);

/// A spawner stops with the agents (`fleet_scope`'s agents stage), not after them with
/// the pacers: a spawner still running when the agents have ended could start new
/// lives that nothing would end. In the agents stage it gets its exit together with
/// the agents, refuses requests from then on, and ends what it started itself.
template <>
struct stop_stage_of<node_spawner_actor> {
  static constexpr stop_stage value = stop_stage::agents;
};

/// The supervisor's view of a spawner stops with the agents too (see above).
template <>
struct stop_stage_of<spawner_actor> {
  static constexpr stop_stage value = stop_stage::agents;
};

} // namespace vigil
