// vigil-node kill | pause | resume: one command to the supervisor, with the commander
// credential (DESIGN §11).
#include <chrono>
#include <cstdio>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "cli.hpp"
#include "vigil/nodes/publish.hpp"

namespace vigil::node {

namespace {

template <class Atom>
int send_command(caf::actor_system& sys, const supervisor_gate& sup, Atom verb,
                 const cli& x, const credential& cred) {
  caf::scoped_actor self{sys};
  int rc = 0;
  self->request(sup, std::chrono::seconds(10), verb, x.agent_id, cred)
      .receive(
          [&] {
            std::printf("vigil-node: %s %s: done\n", x.command.c_str(),
                        x.agent_id.c_str());
          },
          [&](caf::error& err) {
            std::fprintf(stderr, "vigil-node: %s %s refused: %s\n", x.command.c_str(),
                         x.agent_id.c_str(), sys.render(err).c_str());
            rc = 1;
          });
  std::fflush(stdout);
  return rc;
}

} // namespace

int run_command(const cli& x, settings&, caf::actor_system& sys) {
  auto cred = commander_credential(x);
  if (!cred)
    return 2;
  if (cred->empty())
    std::fprintf(stderr, "vigil-node: no commander credential (--commander-key FILE or "
                         "$VIGIL_COMMANDER_KEY); the supervisor will refuse\n");
  warn_if_plaintext(x);
  auto sup = reach_supervisor(sys, x.host, x.connect_port);
  if (!sup) {
    std::fprintf(stderr, "vigil-node: cannot reach the supervisor at %s:%u: %s\n",
                 x.host.c_str(), x.connect_port, sys.render(sup.error()).c_str());
    return 1;
  }
  if (x.command == "kill")
    return send_command(sys, *sup, kill_atom::value, x, *cred);
  if (x.command == "pause")
    return send_command(sys, *sup, pause_atom::value, x, *cred);
  return send_command(sys, *sup, resume_atom::value, x, *cred);
}

} // namespace vigil::node
