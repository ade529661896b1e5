#include "node_link.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "shim.hpp"

namespace vigil::sim {

namespace {

struct node_link_state {
  static inline const char* name = "vigil.sim.node_link";
  supervisor_actor sup;
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
        self->send(st.sup, std::move(batch));
      },
      [self](partition_atom, bool on) { self->state.partitioned = on; },
  };
}

} // namespace

caf::actor spawn_node_link(caf::actor_system& sys, supervisor_actor sup) {
  return sys.spawn(node_link, std::move(sup));
}

} // namespace vigil::sim
