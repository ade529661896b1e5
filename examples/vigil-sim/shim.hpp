// The simulated world around one agent in vigil-sim: its user's work (slots that
// finish by themselves, periodic output) and its network link (partition). A hang is
// no part of it: the agent actor itself hangs (`hang_atom`, agent.hpp).
#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "scenario.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::sim {

using partition_atom = caf::atom_constant<caf::atom("sim_part")>;
using stop_work_atom = caf::atom_constant<caf::atom("sim_stop")>;
using finish_tick_atom = caf::atom_constant<caf::atom("sim_fin")>;
using activity_tick_atom = caf::atom_constant<caf::atom("sim_act")>;

/// The task text a slot carries to its shim: how long it runs and how often it
/// produces output.
std::string encode_work(const action& a);

/// Spawns the shim of an agent: give the agent the shim as its supervisor and as its
/// worker, then send the shim the agent's handle (it links to it). The supervisor knows
/// the shim as the owner (the agent's paced beats go through its node's link, see
/// node_link.hpp); the shim ends with the agent's exit reason.
caf::actor spawn_shim(caf::actor_system& sys, supervisor_actor sup);

} // namespace vigil::sim
