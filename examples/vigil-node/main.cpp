// vigil-node: one process of a fleet spread over nodes. Exit 0 on a clean end (Ctrl-C),
// 1 when the supervisor cannot be reached or a port not published, 2 on bad input.
#include <cstdio>
#include <string>

#include <caf/actor_system.hpp>

#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace vigil::node;
  block_stop_signals(); // before any thread exists: sigwait gets them all
  cli x;
  std::string error;
  if (!parse(argc, argv, x, error)) {
    std::fprintf(stderr, "vigil-node: %s\n%s", error.c_str(), usage);
    return 2;
  }
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
