// The spawner of one simulated node in vigil-sim (DESIGN §12): it offers the types the
// node hosts to the supervisor and starts a new life of an id when the supervisor asks.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "vigil/messages/spawner_messages.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::sim {

/// Starts a new life of `req.id` on the spawner's node (the simulation's part: the
/// same wiring as a `spawn` entry of the timeline).
using start_life = std::function<void(const spawn_request& req)>;

/// Spawns the spawner of `node`. At once it offers `types` to `sup`
/// (`spawner_offer{node, types, {}, spawner}`, a request; a refusal is logged as an
/// error); then it calls `start` for every `spawn_request`. A partition ends it (the
/// supervisor sees the connection go, and the offer with it); a heal offers a new one.
spawner_actor spawn_sim_spawner(caf::actor_system& sys, supervisor_actor sup,
                                std::string node, std::vector<std::string> types,
                                start_life start);

} // namespace vigil::sim
