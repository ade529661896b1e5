// The spawners nodes offer (DESIGN §12): one offer per node, checked like a
// registration, watched, bounded; and the choice of a spawner for a due restart.
#include <algorithm>
#include <vector>

#include <caf/actor_cast.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"

namespace vigil::detail {

namespace {

/// Nodes with an offer at once; a new node beyond it is refused (`invalid_request`),
/// an offer that replaces its node's earlier one is not.
constexpr size_t max_spawners = 4096;

bool offers(const supervisor_state::spawner_entry& x, const std::string& type) {
  return std::find(x.types.begin(), x.types.end(), type) != x.types.end();
}

/// Drops the offer of `node` if `addr` made it.
void drop_offer(self_ptr self, const std::string& node, const caf::actor_addr& addr) {
  auto& st = self->state;
  auto i = st.spawners.find(node);
  if (i == st.spawners.end() || i->second.spawner.address() != addr)
    return;
  st.spawners.erase(i);
  log_limited(self, spdlog::level::info, "spawner",
              "node {}: its spawner is gone; it offers no restarts now", node);
  reask_restarts_of(self, node);
}

} // namespace

caf::result<void> on_spawner_offer(self_ptr self, spawner_offer& offer) {
  auto& st = self->state;
  if (auto err = check_inbound(offer))
    return refuse_input(self, "spawner offer", std::move(err));
  // DESIGN §11: a node offers only for itself. A node name that registered with a key
  // must show it here too.
  if (auto* known = find_interned(offer.node)) {
    if (auto pinned = st.node_keys.find(known); pinned != st.node_keys.end()) {
      auto shown = digest_of(offer.node_key.secret);
      if (!matches(pinned->second, shown)) {
        log_refusal(self, "spawner:node_key",
                    fmt::format("spawner offer of node {} refused: {} node key",
                                offer.node, offer.node_key.empty() ? "no" : "a wrong"));
        return make_error(
            errc::unauthorized, "spawner offer of node " + offer.node,
            offer.node_key.empty()
                ? "node " + offer.node + " registered with a key; show it (--node-key)"
                : "not the key node " + offer.node + " first registered with");
      }
    }
  }
  // One node per process (DESIGN §11: an agent node offers for its own node only): a
  // process of another node that offers for one node name may not offer for a second
  // while that offer lives, so a connection cannot make up names to attract
  // `placement: any` restarts. Spawners of this process (a simulator hosts many nodes
  // in one) are not bound by it.
  if (auto where = offer.spawner.node(); where != self->node())
    for (auto& [node, entry] : st.spawners)
      if (node != offer.node && entry.spawner.node() == where) {
        log_refusal(self, "spawner:one_node",
                    fmt::format("spawner offer of node {} refused: its process ({}) "
                                "offers for node {} already",
                                offer.node, to_string(where), node));
        return make_error(errc::unauthorized, "spawner offer of node " + offer.node,
                          "its process offers for node " + node +
                              " already; a process offers for its own node only");
      }
  auto existing = st.spawners.find(offer.node);
  if (existing == st.spawners.end() && st.spawners.size() >= max_spawners) {
    log_refusal(self, "spawner:bound",
                fmt::format("spawner offer of node {} refused: {} nodes offer already, "
                            "the most a supervisor keeps",
                            offer.node, st.spawners.size()));
    return make_error(errc::invalid_request, "spawner offer of node " + offer.node,
                      std::string{"offer"},
                      std::to_string(st.spawners.size()) + " nodes",
                      "fewer than " + std::to_string(max_spawners));
  }
  auto addr = offer.spawner.address();
  // Watched already (it offers for some node): one monitor per actor, however often it
  // offers (CAF 0.17 attaches one more per `monitor` call).
  bool watched = st.spawner_nodes.count(addr) > 0;
  if (existing != st.spawners.end()) {
    // The node's earlier offer ends: its spawner no longer speaks for the node.
    auto old = existing->second.spawner.address();
    auto [first, last] = st.spawner_nodes.equal_range(old);
    for (auto i = first; i != last; ++i)
      if (i->second == offer.node) {
        st.spawner_nodes.erase(i);
        break;
      }
  }
  if (!watched)
    self->monitor(offer.spawner);
  auto [first, last] = st.spawner_nodes.equal_range(addr);
  if (std::none_of(first, last, [&](auto& x) { return x.second == offer.node; }))
    st.spawner_nodes.emplace(addr, offer.node);
  auto& entry = st.spawners[offer.node];
  entry.spawner = std::move(offer.spawner);
  entry.types = std::move(offer.types);
  std::string listed;
  for (auto& type : entry.types)
    listed += (listed.empty() ? "" : ", ") + type;
  log_limited(self, spdlog::level::info, "spawner",
              "node {} offers to spawn agents of {} types ({})", offer.node,
              entry.types.size(), listed);
  // Restarts that waited for a spawner of these types go on, in due order, then by id.
  std::vector<std::tuple<time_point, std::string, uint64_t>> woken;
  for (auto key : st.awaiting_spawner)
    if (auto* rec = st.agents.find(key);
        rec && rec->restart() && rec->restart()->next && offers(entry, *rec->type))
      woken.emplace_back(rec->restart()->next->due, rec->id, key);
  std::sort(woken.begin(), woken.end());
  auto now = self->clock().now();
  for (auto& [due, id, key] : woken)
    if (auto* rec = st.agents.find(key))
      advance_restart(self, *rec, now);
  return caf::unit;
}

bool on_spawner_down(self_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto [first, last] = st.spawner_nodes.equal_range(dm.source);
  if (first == last)
    return false;
  std::vector<std::string> nodes; // a copy: the map changes below
  for (auto i = first; i != last; ++i)
    nodes.push_back(i->second);
  st.spawner_nodes.erase(dm.source);
  for (auto& node : nodes)
    drop_offer(self, node, dm.source);
  return true;
}

void count_live(self_ptr self, const std::string* node, int by) {
  auto& live = self->state.node_live;
  if (by > 0) {
    ++live[node];
    return;
  }
  auto i = live.find(node);
  if (i != live.end() && --i->second == 0)
    live.erase(i);
}

const supervisor_state::spawner_entry* find_spawner(self_ptr self,
                                                    const agent_record& rec) {
  auto& st = self->state;
  if (st.settings_of(*rec.type).restart.placement == restart_placement::same_node) {
    auto i = st.spawners.find(*rec.node);
    return i != st.spawners.end() && offers(i->second, *rec.type) ? &i->second
                                                                  : nullptr;
  }
  // `any`: the node with the fewest live agents among those that offer the type, in
  // name order: ties go to the first.
  const supervisor_state::spawner_entry* best = nullptr;
  size_t fewest = 0;
  for (auto& [node, entry] : st.spawners) {
    if (!offers(entry, *rec.type))
      continue;
    size_t live = 0;
    if (auto* name = find_interned(node))
      if (auto i = st.node_live.find(name); i != st.node_live.end())
        live = i->second;
    if (!best || live < fewest) {
      best = &entry;
      fewest = live;
    }
  }
  return best;
}

} // namespace vigil::detail
