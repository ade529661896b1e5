// A project outside the tree: spawns one agent against a tiny supervisor stand-in and
// prints the agent's first transition.
#include <chrono>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <vigil/actors/agent.hpp>
#include <vigil/messages/register_types.hpp>

int main() {
  caf::actor_system_config cfg;
  vigil::register_types(cfg);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto listener = caf::actor{self};
  auto sup = sys.spawn([listener]() -> vigil::agent_facing_supervisor::behavior_type {
    return {[](vigil::registration&) { return vigil::registration_ack{1}; },
            [](vigil::heartbeat&) {},
            [](vigil::beat_batch&) {},
            [listener](vigil::transition_report& x) { caf::anon_send(listener, x); },
            [](vigil::activity_report&) {},
            [](vigil::child_report&) {},
            [](vigil::spawner_offer&) {}};
  });
  auto agent = vigil::spawn_agent(sys, sup, vigil::agent_options{"c1"});
  if (!agent) {
    std::cerr << sys.render(agent.error()) << '\n';
    return 1;
  }
  int rc = 1;
  self->receive(
      [&](vigil::transition_report& x) {
        std::cout << "consumer: agent " << x.id << " is " << to_string(x.to) << '\n';
        rc = x.to == vigil::agent_state::idle ? 0 : 1;
      },
      caf::after(std::chrono::seconds(10)) >>
          [] { std::cerr << "consumer: no report\n"; });
  self->send_exit(*agent, caf::exit_reason::user_shutdown);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  return rc;
}
