#include "lives.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "node_link.hpp"
#include "shim.hpp"
#include "sim_spawner.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/messages/log.hpp"

namespace vigil::sim {

lives::lives(const scenario& s) : s_(s), current_(s.agents.size()) {
  for (size_t i = 0; i < s.agents.size(); ++i)
    ids_.emplace(s.agents[i].id, i);
}

void lives::bind(caf::actor_system& sys, supervisor_actor sup) {
  std::lock_guard<std::mutex> guard{mx_};
  sys_ = &sys;
  sup_ = std::move(sup);
}

void lives::spawn(size_t i) {
  std::lock_guard<std::mutex> guard{mx_};
  start_life(i, s_.agents[i].node);
}

life lives::current(size_t i) {
  std::lock_guard<std::mutex> guard{mx_};
  return current_[i];
}

void lives::partition(const std::string& name, bool on) {
  std::lock_guard<std::mutex> guard{mx_};
  bool changed = on ? partitioned_.insert(name).second : partitioned_.erase(name) > 0;
  for (auto* xs : {&current_, &retired_})
    for (auto& x : *xs)
      if (x.node == name && x.shim)
        caf::anon_send(x.shim, partition_atom::value, on);
  auto n = nodes_.find(name);
  if (n == nodes_.end())
    return; // made behind the partition, when its first agent spawns
  caf::anon_send(n->second.link, partition_atom::value, on);
  if (changed && on) // the supervisor loses the spawner with the connection
    caf::anon_send_exit(n->second.spawner, caf::exit_reason::remote_link_unreachable);
  else if (changed)
    offer_spawner(name, n->second);
}

void lives::kill_all() {
  std::lock_guard<std::mutex> guard{mx_};
  closed_ = true;
  auto kill = [](const caf::actor& x) {
    if (x)
      caf::anon_send_exit(x, caf::exit_reason::kill);
  };
  for (auto* xs : {&current_, &retired_}) {
    for (auto& x : *xs) {
      kill(x.agent);
      kill(x.shim);
    }
  }
  for (auto& [name, n] : nodes_) {
    if (n.spawner)
      caf::anon_send_exit(n.spawner, caf::exit_reason::kill);
    caf::anon_send_exit(n.pacer, caf::exit_reason::kill);
    kill(n.link);
  }
}

void lives::release() {
  std::lock_guard<std::mutex> guard{mx_};
  current_.assign(current_.size(), life{});
  retired_.clear();
  nodes_.clear();
  sup_ = nullptr;
}

lives::sim_node& lives::node(const std::string& name) {
  auto [i, added] = nodes_.try_emplace(name);
  if (added) {
    i->second.link = spawn_node_link(*sys_, sup_);
    // Exact phases: every agent beats exactly every interval from registration.
    pacer_options po;
    po.granularity = duration::zero();
    i->second.pacer =
        *spawn_pacer(*sys_, caf::actor_cast<beat_sink>(i->second.link), po);
    if (partitioned_.count(name))
      caf::anon_send(i->second.link, partition_atom::value, true);
    else
      offer_spawner(name, i->second);
  }
  return i->second;
}

void lives::offer_spawner(const std::string& name, sim_node& n) {
  std::set<std::string> types; // every type the scenario puts on the node
  for (auto& spec : s_.agents)
    if (spec.node == name)
      types.insert(spec.type);
  n.spawner =
      spawn_sim_spawner(*sys_, sup_, name, {types.begin(), types.end()},
                        [this, name](const spawn_request& req) { restart(req, name); });
}

void lives::start_life(size_t i, const std::string& node_name) {
  auto& spec = s_.agents[i];
  auto& n = node(node_name);
  auto sh = spawn_shim(*sys_, sup_);
  if (partitioned_.count(node_name)) // born behind the partition
    caf::anon_send(sh, partition_atom::value, true);
  agent_options opts{spec.id, spec.type, node_name};
  opts.settings = s_.config.agent_for(spec.type);
  opts.worker = sh;
  // Not the agent's to end: linked to it, the shim ends with the agent's own exit
  // reason, which the supervisor must see (an exit from the agent would overtake it).
  opts.owns_worker = false;
  opts.pacer = n.pacer;
  auto x = spawn_agent(*sys_, caf::actor_cast<agent_facing_supervisor>(sh), opts);
  auto agent = caf::actor_cast<caf::actor>(*x);
  caf::anon_send(sh, agent);
  current_[i] = {std::move(agent), std::move(sh), node_name};
}

// An older life that reappears (a healed partition) is the supervisor's to refuse.
void lives::restart(const spawn_request& req, const std::string& node_name) {
  std::lock_guard<std::mutex> guard{mx_};
  if (closed_)
    return;
  auto i = ids_.find(req.id);
  if (i == ids_.end() || s_.agents[i->second].type != req.type) {
    log()->error("sim node {}: spawn request for {} of type {}, which the scenario "
                 "does not declare",
                 node_name, req.id, req.type);
    return;
  }
  if (current_[i->second].agent)
    retired_.push_back(std::move(current_[i->second]));
  start_life(i->second, node_name);
}

} // namespace vigil::sim
