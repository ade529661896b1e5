// The simulated network between one node's pacer and the supervisor in vigil-sim:
// batches of beats pass, except while the node is partitioned.
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "vigil/actors/pacer.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::sim {

/// Spawns a node's link. The node's pacers send it their batches, which it passes on
/// as their sender (the one the supervisor sees). `partition_atom, on` drops every
/// batch while on.
caf::actor spawn_node_link(caf::actor_system& sys, supervisor_actor sup);

} // namespace vigil::sim
