#include "sim_spawner.hpp"

#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "vigil/messages/log.hpp"

namespace vigil::sim {

namespace {

struct spawner_state {
  static inline const char* name = "vigil.sim.spawner";
  std::string node;
  start_life start;
};

using spawner_ptr = spawner_actor::stateful_pointer<spawner_state>;

spawner_actor::behavior_type sim_spawner(spawner_ptr self, supervisor_actor sup,
                                         std::string node,
                                         std::vector<std::string> types,
                                         start_life start) {
  self->state.node = node;
  self->state.start = std::move(start);
  spawner_offer offer{
      std::move(node), std::move(types), {}, caf::actor_cast<spawner_actor>(self)};
  // Local and answered at once: no timeout, so no timer in the virtual clock.
  self->request(sup, caf::infinite, std::move(offer))
      .then([] {},
            [self](caf::error& err) {
              log()->error("sim node {}: the supervisor refused its spawner: {}",
                           self->state.node, self->system().render(err));
            });
  return {
      [self](spawn_request& req) { self->state.start(req); },
  };
}

} // namespace

spawner_actor spawn_sim_spawner(caf::actor_system& sys, supervisor_actor sup,
                                std::string node, std::vector<std::string> types,
                                start_life start) {
  return sys.spawn(sim_spawner, std::move(sup), std::move(node), std::move(types),
                   std::move(start));
}

} // namespace vigil::sim
