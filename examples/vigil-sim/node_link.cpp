#include "node_link.hpp"

#include <algorithm>
#include <unordered_set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "shim.hpp"

namespace vigil::sim {

namespace {

struct node_link_state {
  static inline const char* name = "vigil.sim.node_link";
  supervisor_actor sup;
  std::unordered_set<uint64_t> hung; ///< Keys of agents whose beats are lost.
  bool partitioned = false;
};

caf::behavior node_link(caf::stateful_actor<node_link_state>* self,
                        supervisor_actor sup) {
  self->state.sup = std::move(sup);
  return {
      [self](beat_batch& batch) {
        auto& st = self->state;
        if (st.partitioned)
          return;
        if (!st.hung.empty()) {
          auto& xs = batch.beats;
          xs.erase(
              std::remove_if(xs.begin(), xs.end(),
                             [&](const paced_beat& b) { return st.hung.count(b.key); }),
              xs.end());
          if (xs.empty())
            return;
        }
        self->send(st.sup, std::move(batch));
      },
      [self](hang_atom, uint64_t key, bool on) {
        if (on)
          self->state.hung.insert(key);
        else
          self->state.hung.erase(key);
      },
      [self](partition_atom, bool on) { self->state.partitioned = on; },
  };
}

} // namespace

caf::actor spawn_node_link(caf::actor_system& sys, supervisor_actor sup) {
  return sys.spawn(node_link, std::move(sup));
}

} // namespace vigil::sim
