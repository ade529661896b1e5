// A one-process program against an install of vigil::core only (no store, no nodes):
// a supervisor and an agent, a query until the agent is idle, then both stopped.
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <vigil/vigil.hpp>

int main() {
  caf::actor_system_config cfg;
  vigil::register_types(cfg);
  caf::actor_system sys{cfg};
  auto sup = vigil::spawn_supervisor(sys);
  if (!sup) {
    std::cerr << "core consumer: " << sys.render(sup.error()) << '\n';
    return 1;
  }
  auto agent = vigil::spawn_agent(sys, *sup, vigil::agent_options{"c1", "worker"});
  if (!agent) {
    std::cerr << "core consumer: " << sys.render(agent.error()) << '\n';
    caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
    return 1;
  }
  caf::scoped_actor self{sys};
  std::string state = "none";
  // The agent turns idle once the supervisor accepted its registration.
  for (int i = 0; i < 100 && state != "idle"; ++i) {
    if (i > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    self->request(*sup, std::chrono::seconds(5), vigil::status_atom::value,
                  std::string{"c1"})
        .receive([&](vigil::agent_status& x) { state = to_string(x.state); },
                 [&](caf::error& err) { state = sys.render(err); });
  }
  std::cout << "core consumer: agent c1 is " << state << '\n';
  self->send_exit(*agent, caf::exit_reason::user_shutdown);
  self->send_exit(*sup, caf::exit_reason::user_shutdown);
  return state == "idle" ? 0 : 1;
}
