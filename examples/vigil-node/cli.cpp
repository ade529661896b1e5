#include "cli.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "vigil/actors/fleet_scheduler.hpp"
#include "vigil/config/config_problem.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/nodes/credential_file.hpp"
#include "vigil/nodes/publish.hpp"

namespace vigil::node {

const char* usage =
    "usage: vigil-node supervise --port P [--bind ADDR (default 127.0.0.1)] [--config "
    "F]\n"
    "                            [--state-dir DIR (default vigil-state) | --no-store]\n"
    "                            [--commander-key F] [--tls-cert F --tls-key F "
    "--tls-ca F]\n"
    "       vigil-node agents --connect HOST:P --count N [--type T] [--id-prefix X]\n"
    "                         [--node NAME] [--node-key F] [--work cycle|busy|idle]\n"
    "                         [--config F] [tls]\n"
    "       vigil-node watch --connect HOST:P [--json] [--config F] [tls]\n"
    "       vigil-node status --connect HOST:P [--agents] [--json] [--config F] [tls]\n"
    "       vigil-node kill|pause|resume --connect HOST:P ID [--commander-key F] "
    "[tls]\n"
    "Ctrl-C ends each cleanly. --port 0 picks a free port and prints it.\n"
    "Credentials come from files (chmod 600) or the environment, never the command\n"
    "line: --commander-key F, else $VIGIL_COMMANDER_KEY (supervise: the credential\n"
    "commands must carry; without one every command is refused). See README, "
    "Security.\n";

std::atomic<bool> stop_requested{false};

namespace {

bool number(const std::string& opt, const std::string& text, uint64_t max,
            uint64_t& out, std::string& error) {
  char* end = nullptr;
  auto v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || text[0] == '-' || v > max) {
    error = opt + " expects a number up to " + std::to_string(max) + ", found \"" +
            text + "\"";
    return false;
  }
  out = v;
  return true;
}

} // namespace

bool parse(int argc, char** argv, cli& x, std::string& error) {
  if (argc < 2) {
    error = "no command given";
    return false;
  }
  x.command = argv[1];
  if (x.command == "-h" || x.command == "--help") {
    std::fputs(usage, stdout);
    std::exit(0);
  }
  bool is_command =
      x.command == "kill" || x.command == "pause" || x.command == "resume";
  if (x.command != "supervise" && x.command != "agents" && x.command != "watch" &&
      x.command != "status" && !is_command) {
    error = "unknown command \"" + x.command +
            "\" (supervise, agents, watch, status, kill, pause, resume)";
    return false;
  }
  bool port_given = false;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    std::string v;
    auto value = [&] {
      if (i + 1 >= argc) {
        error = arg + " needs a value";
        return false;
      }
      v = argv[++i];
      return true;
    };
    uint64_t n = 0;
    if (arg == "--port") {
      if (!value() || !number(arg, v, 65535, n, error))
        return false;
      x.port = static_cast<uint16_t>(n);
      port_given = true;
    } else if (arg == "--state-dir") {
      if (!value())
        return false;
      x.state_dir = v;
    } else if (arg == "--no-store") {
      x.no_store = true;
    } else if (arg == "--bind") {
      if (!value())
        return false;
      x.bind = v;
    } else if (arg == "--connect") {
      if (!value())
        return false;
      auto colon = v.rfind(':');
      if (colon == std::string::npos || colon == 0) {
        error = "--connect expects HOST:PORT, found \"" + v + "\"";
        return false;
      }
      x.host = v.substr(0, colon);
      if (!number(arg + " port", v.substr(colon + 1), 65535, n, error))
        return false;
      if (n == 0) {
        error = "--connect port must not be 0";
        return false;
      }
      x.connect_port = static_cast<uint16_t>(n);
    } else if (arg == "--config") {
      if (!value())
        return false;
      x.config = v;
    } else if (arg == "--tls-cert" || arg == "--tls-key" || arg == "--tls-ca") {
      if (!value())
        return false;
      (arg == "--tls-cert"  ? x.tls.certificate
       : arg == "--tls-key" ? x.tls.key
                            : x.tls.cafile) = v;
    } else if (arg == "--count") {
      if (!value() || !number(arg, v, 10'000'000, n, error))
        return false;
      x.count = n;
    } else if (arg == "--type") {
      if (!value())
        return false;
      x.type = v;
    } else if (arg == "--id-prefix") {
      if (!value())
        return false;
      x.id_prefix = v;
    } else if (arg == "--node") {
      if (!value())
        return false;
      x.node_name = v;
    } else if (arg == "--work") {
      if (!value())
        return false;
      if (v != "cycle" && v != "busy" && v != "idle") {
        error = "--work expects cycle, busy or idle, found \"" + v + "\"";
        return false;
      }
      x.work = v;
    } else if (arg == "--commander-key") {
      if (!value())
        return false;
      x.commander_key_file = v;
    } else if (arg == "--node-key") {
      if (!value())
        return false;
      x.node_key_file = v;
    } else if (is_command && !arg.empty() && arg[0] != '-' && x.agent_id.empty()) {
      x.agent_id = arg;
    } else if (arg == "--agents") {
      x.list_agents = true;
    } else if (arg == "--json") {
      x.json = true;
    } else {
      error = "unknown option " + arg + " for " + x.command;
      return false;
    }
  }
  if (x.command == "supervise" && !port_given) {
    error = "supervise needs --port (0 picks a free one)";
    return false;
  }
  if (x.command != "supervise" && x.host.empty()) {
    error = x.command + " needs --connect HOST:PORT";
    return false;
  }
  if (is_command && x.agent_id.empty()) {
    error = x.command + " needs the agent's ID";
    return false;
  }
  if (x.command == "agents" && x.count == 0) {
    error = "--count must be at least 1";
    return false;
  }
  if (x.node_name.empty()) {
    char name[256] = {};
    gethostname(name, sizeof(name) - 1);
    x.node_name = name[0] ? name : "local";
  }
  return true;
}

std::optional<settings> load_settings(const cli& x) {
  std::optional<settings> s;
  if (x.config.empty()) {
    s.emplace(); // the defaults (emplaced: GCC 12 misreads a returned temporary)
    return s;
  }
  config_problem why;
  s = read_settings_file(x.config, why);

  if (!s)
    std::fprintf(stderr, "vigil-node: %s\n", to_string(why).c_str());
  return s;
}

void warn_if_plaintext(const cli& x) {
  if (is_loopback(x.host) || x.tls.enabled())
    return;
  std::fprintf(stderr,
               "vigil-node: WARNING: connecting to %s WITHOUT TLS: credentials, node "
               "keys and life tokens travel in the clear (README, Security)\n",
               x.host.c_str());
}

std::optional<credential> commander_credential(const cli& x) {
  auto c = x.commander_key_file.empty() ? read_credential_env("VIGIL_COMMANDER_KEY")
                                        : read_credential_file(x.commander_key_file);
  unsetenv("VIGIL_COMMANDER_KEY"); // read once; nothing this process starts inherits it
  if (!c) {
    std::fprintf(stderr, "vigil-node: %s\n",
                 describe(code_of(c.error()), c.error().context()).c_str());
    return std::nullopt;
  }
  return std::move(*c);
}

bool configure(caf::actor_system_config& cfg, const cli& x, const settings& s) {
  log()->set_level(spdlog::level::from_str(s.log_level));
  if (auto err = configure_node(cfg, s.supervisor.heartbeat, x.tls)) {
    std::fprintf(stderr, "vigil-node: %s\n",
                 describe(code_of(err), err.context()).c_str());
    return false;
  }
  cfg.set("scheduler.max-threads", 2); // 2-core machines
  // A busy pacer or supervisor yields its thread after this many messages; with CAF's
  // default (no limit) it starves the agents queued behind it (measured: at 100,000
  // agents, 45% of the beats were late without it).
  cfg.set("scheduler.max-throughput", 300);
  // FIFO: CAF's work stealing runs freshly woken actors first and spins when idle; at
  // 400,000 agents it left ticks and deadlines waiting for seconds. vigil's fleet
  // scheduler keeps CAF's `sharing` order without its lock per job (BENCHMARKS.md).
  use_fleet_scheduler(cfg);
  return true;
}

void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void watch_stop_signals() {
  std::thread{[] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    stop_requested = true;
    sigwait(&set, &sig); // a second one: the user will not wait for a clean end
    std::fprintf(stderr, "vigil-node: stopping at once\n");
    std::_Exit(130);
  }}.detach();
}

void wait_for_stop() {
  while (!stop_requested)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

} // namespace vigil::node
