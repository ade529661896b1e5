// The simulated nodes of vigil-sim and the current life of each agent id: a `spawn`
// entry of the timeline starts an id's first life, a node's spawner every later one
// (DESIGN §12), and every other entry acts on the current one.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "scenario.hpp"
#include "vigil/actors/pacer.hpp"
#include "vigil/messages/spawner_messages.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::sim {

/// One life of an agent: its actor, its shim (shim.hpp) and the node it runs on.
struct life {
  caf::actor agent;
  caf::actor shim;
  std::string node;
};

/// Every life and node of one run. Thread-safe: in realtime, spawners start lives on
/// CAF's threads while the driver acts on the timeline.
class lives {
public:
  explicit lives(const scenario& s);

  /// The actor system of the run and the supervisor every life and spawner talks to;
  /// before anything else. Outlive `sys`: its spawners call back until it is gone.
  void bind(caf::actor_system& sys, supervisor_actor sup);

  /// Starts the first life of agent `i` (index into `scenario::agents`) on its node.
  void spawn(size_t i);

  /// The current life of agent `i`; empty handles before its spawn.
  life current(size_t i);

  /// What node `node_name`'s spawner does with a `spawn_request`: starts a new life of
  /// the id there, as `spawn` does, and makes it the current one (the ended life stays
  /// where it is until the run ends). An id the scenario does not declare (with that
  /// type) is logged and ignored, as is everything after `kill_all`.
  void restart(const spawn_request& req, const std::string& node_name);

  /// Cuts `node` off from the supervisor (`on`) or heals it: the shims of its lives
  /// (ended ones too: a stale life that reappears is the supervisor's to refuse) and
  /// its link drop what they carry, and the supervisor loses its spawner with the
  /// connection (a heal offers a new one).
  void partition(const std::string& node, bool on);

  /// Sends every actor of the run an exit (`kill`): lives, ended lives, nodes. Spawn
  /// requests that arrive later are ignored.
  void kill_all();

  /// Drops every handle, after `kill_all` took effect: no handle may outlive the
  /// actor system.
  void release();

private:
  /// A node's pacer, link and spawner, made when its first agent spawns.
  struct sim_node {
    caf::actor link;
    pacer_actor pacer;
    spawner_actor spawner; ///< None while the node is partitioned.
  };

  sim_node& node(const std::string& name);
  void offer_spawner(const std::string& name, sim_node& n);
  void start_life(size_t i, const std::string& node_name);

  caf::actor_system* sys_ = nullptr;
  const scenario& s_;
  supervisor_actor sup_;
  std::mutex mx_; ///< Guards everything below.
  bool closed_ = false;
  std::map<std::string, size_t> ids_; ///< Agent id -> index in `s_.agents`.
  std::vector<life> current_;         ///< Each id's current life.
  std::vector<life> retired_;         ///< Ended lives, kept until the run ends.
  std::set<std::string> partitioned_; ///< Nodes cut off right now.
  std::map<std::string, sim_node> nodes_;
};

} // namespace vigil::sim
