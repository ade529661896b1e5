#include "support/test_spawner.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

namespace vigil::test {

namespace {

caf::behavior spawner(caf::stateful_actor<test_spawner_state>* self,
                      supervisor_actor sup, std::string node,
                      std::vector<std::string> types, bool inert) {
  self->attach_functor([started = self->state.started](const caf::error&) {
    for (auto& a : *started)
      caf::anon_send_exit(a, caf::exit_reason::kill);
  });
  spawner_offer offer{node, std::move(types), {}, caf::actor_cast<spawner_actor>(self)};
  self->request(sup, caf::infinite, std::move(offer))
      .then([self] { self->state.answered = true; },
            [self](caf::error& err) {
              self->state.answered = true;
              self->state.offer_reply = std::move(err);
            });
  return {
      [=](spawn_request& req) {
        self->state.requests.push_back(req);
        if (inert)
          return;
        auto agent =
            spawn_agent(self->system(), sup, agent_options{req.id, req.type, node});
        if (!agent)
          return;
        self->state.agents[req.id] = *agent;
        self->state.started->push_back(*agent);
      },
  };
}

} // namespace

caf::actor spawn_test_spawner(caf::actor_system& sys, supervisor_actor sup,
                              std::string node, std::vector<std::string> types,
                              bool inert) {
  return sys.spawn(spawner, std::move(sup), std::move(node), std::move(types), inert);
}

} // namespace vigil::test
