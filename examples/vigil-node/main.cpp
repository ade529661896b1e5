// vigil-node: one process of a fleet spread over nodes. Exit 0 on a clean end (Ctrl-C),
// 1 when the supervisor cannot be reached or a port not published, 2 on bad input.

#include <caf/actor_system.hpp>

#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace vigil::node;
  block_stop_signals(); // before any thread exists: sigwait gets them all
  cli x;
  if (auto code = parse(argc, argv, x))
    return *code;
  watch_stop_signals();
  auto s = load_settings(x);
  if (!s)
    return 2;
  caf::actor_system_config cfg;
  if (!configure(cfg, x, *s))
    return 2;
  caf::actor_system sys{cfg};
  if (x.command == "supervise")
    return run_supervise(x, *s, sys);
  if (x.command == "agents")
    return run_agents(x, *s, sys);
  if (x.command == "watch")
    return run_watch(x, *s, sys);
  if (x.command == "status")
    return run_status(x, *s, sys);
  return run_command(x, *s, sys);
}
