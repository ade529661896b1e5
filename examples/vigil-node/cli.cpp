#include "cli.hpp"

#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <unistd.h>

#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>
#include <boost/url/authority_view.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "vigil/actors/fleet_scheduler.hpp"
#include "vigil/config/config_problem.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/nodes/credential_file.hpp"
#include "vigil/nodes/publish.hpp"

namespace vigil::node {

std::atomic<bool> stop_requested{false};

namespace {

// What the checks below answer: empty, or what was expected and what was found (CLI11
// puts the option's name in front).
std::string number_problem(const std::string& text, uint64_t min, uint64_t max) {
  char* end = nullptr;
  errno = 0;
  auto v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])) ||
      *end != '\0' || errno == ERANGE || v > max)
    return "expects a number up to " + std::to_string(max) + ", found \"" + text + "\"";
  if (v < min)
    return "must be at least " + std::to_string(min) + ", found \"" + text + "\"";
  return {};
}

std::string host_and_port_problem(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return "expects HOST:PORT, found \"" + text + "\"";
  if (auto why = number_problem(text.substr(colon + 1), 1, 65535); !why.empty())
    return "port " + why;
  return {};
}

/// `--http`: PORT, or ADDR:PORT (`[v6]:PORT` for an IPv6 address), port 0 to 65535.
/// Sets `address` and `port` when it is good.
std::string http_problem(const std::string& text, std::string& address,
                         uint16_t& port) {
  auto expected = "expects PORT or ADDRESS:PORT, found \"" + text + "\"";
  auto digits =
      !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  std::string port_text = text;
  address = "127.0.0.1";
  if (!digits) {
    auto a = boost::urls::parse_authority(text);
    if (!a || a->has_userinfo() || !a->has_port() || a->encoded_host().empty())
      return expected;
    address = std::string{a->host_address()}; // an IPv6 one without its brackets
    port_text = std::string{a->port()};
  }
  if (auto why = number_problem(port_text, 0, 65535); !why.empty())
    return "port " + why;
  port = static_cast<uint16_t>(std::strtoul(port_text.c_str(), nullptr, 10));
  return {};
}

/// A whole number from `min` to `max`.
CLI::Validator number_in(uint64_t min, uint64_t max) {
  auto check = [min, max](std::string& text) {
    return number_problem(text, min, max);
  };
  return CLI::Validator{check, std::to_string(min) + ".." + std::to_string(max)};
}

/// Where the supervisor is: --connect HOST:PORT (port 1 to 65535), split after parsing.
void connection_options(CLI::App& cmd, std::string& connect) {
  auto check = [](std::string& text) {
    return host_and_port_problem(text);
  };
  cmd.add_option("--connect", connect, "the supervisor's address")
      ->required()
      ->type_name("HOST:PORT")
      ->check(CLI::Validator{check, ""});
}

void config_option(CLI::App& cmd, cli& x) {
  cmd.add_option("--config", x.config, "a settings file (README, Settings files)")
      ->type_name("FILE");
}

void tls_options(CLI::App& cmd, cli& x) {
  auto* cert = cmd.add_option("--tls-cert", x.tls.certificate,
                              "this process's certificate (PEM): mutual TLS");
  auto* key = cmd.add_option("--tls-key", x.tls.key, "its private key (PEM)");
  auto* ca = cmd.add_option("--tls-ca", x.tls.cafile, "the CA that signs peers (PEM)");
  for (auto* o : {cert, key, ca})
    o->group("TLS (all three, on every process)")->type_name("FILE");
}

void commander_key_option(CLI::App& cmd, cli& x, const char* what) {
  cmd.add_option("--commander-key", x.commander_key_file,
                 std::string{what} + ", else $VIGIL_COMMANDER_KEY (a file, chmod 600)")
      ->type_name("FILE");
}

bool known_command(const CLI::App& app, const char* name) {
  for (auto* cmd : app.get_subcommands({}))
    if (cmd->get_name() == name)
      return true;
  return false;
}

} // namespace

std::optional<int> parse(int argc, char** argv, cli& x) {
  CLI::App app{"vigil-node: a supervisor, agents, or an observer as one process of a "
               "fleet spread over nodes.",
               "vigil-node"};
  // As before CLI11: an option given twice takes the last value.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.require_subcommand(1);
  app.footer("Ctrl-C ends each cleanly. --port 0 picks a free port and prints it.\n"
             "Credentials come from files (chmod 600) or the environment, never the "
             "command\nline: --commander-key F, else $VIGIL_COMMANDER_KEY (supervise: "
             "the credential\ncommands must carry; without one every command is "
             "refused). See README, Security.\nExit 0 on a clean end, 1 when the "
             "supervisor cannot be reached or a command is\nrefused, 2 on bad usage.");
  std::string connect;

  auto* sup = app.add_subcommand("supervise", "run the supervisor and publish it");
  sup->add_option("--port", x.port, "the port to listen on (0 picks a free one)")
      ->required()
      ->type_name("P")
      ->check(number_in(0, 65535));
  sup->add_option("--bind", x.bind, "the address to listen on")
      ->type_name("ADDR")
      ->default_str("127.0.0.1");
  config_option(*sup, x);
  sup->add_option("--state-dir", x.state_dir,
                  "the SQLite record goes to DIR/fleet.db unless --config names a "
                  "store or --no-store")
      ->type_name("DIR")
      ->capture_default_str();
  sup->add_flag("--no-store", x.no_store, "keep no record");
  sup->add_option("--http", x.http,
                  "serve /metrics (Prometheus) over HTTP on PORT, on 127.0.0.1 unless "
                  "an ADDRESS is named; observers' rights: it reads, never commands")
      ->type_name("[ADDRESS:]PORT")
      ->check(CLI::Validator{[&x](std::string& text) {
                               return http_problem(text, x.http_address, x.http_port);
                             },
                             ""});
  commander_key_option(*sup, x, "the credential commands must carry");
  tls_options(*sup, x);

  auto* agents = app.add_subcommand("agents", "run agents with simulated work");
  connection_options(*agents, connect);
  agents->add_option("--count", x.count, "how many agents")
      ->type_name("N")
      ->check(number_in(1, 10'000'000))
      ->capture_default_str();
  agents->add_option("--type", x.type, "their type")
      ->type_name("T")
      ->capture_default_str();
  agents->add_option("--id-prefix", x.id_prefix, "their ids are X-1, X-2, ...")
      ->type_name("X")
      ->capture_default_str();
  agents->add_option("--node", x.node_name, "the node they report")
      ->type_name("NAME")
      ->default_str("the host name");
  agents->add_option("--node-key", x.node_key_file, "the node's key (a file)")
      ->type_name("FILE");
  auto work = [](std::string& text) -> std::string {
    if (text == "cycle" || text == "busy" || text == "idle")
      return {};
    return "expects cycle, busy or idle, found \"" + text + "\"";
  };
  agents->add_option("--work", x.work, "their simulated work")
      ->type_name("cycle|busy|idle")
      ->check(CLI::Validator{work, ""})
      ->capture_default_str();
  config_option(*agents, x);
  tls_options(*agents, x);

  auto* watch = app.add_subcommand("watch", "follow the fleet's events");
  connection_options(*watch, connect);
  watch->add_flag("--json", x.json, "one JSON object per line");
  config_option(*watch, x);
  tls_options(*watch, x);

  auto* status = app.add_subcommand("status", "the fleet's counts by state");
  connection_options(*status, connect);
  status->add_flag("--agents", x.list_agents, "one line per agent instead");
  status->add_flag("--json", x.json, "as JSON");
  config_option(*status, x);
  tls_options(*status, x);

  for (auto [name, what] :
       {std::pair{"kill", "end an agent (killed)"},
        std::pair{"pause", "stop counting an agent's missed beats"},
        std::pair{"resume", "count them again, from a fresh beat"}}) {
    auto* cmd = app.add_subcommand(name, what);
    connection_options(*cmd, connect);
    cmd->add_option("ID", x.agent_id, "the agent")->required();
    commander_key_option(*cmd, x, "the credential to send");
    config_option(*cmd, x);
    tls_options(*cmd, x);
  }

  try {
    // CLI11 would only say that a command is missing: name the one that is not known.
    if (argc > 1 && argv[1][0] != '-' && !known_command(app, argv[1]))
      throw CLI::ValidationError{"COMMAND", "expects supervise, agents, watch, status, "
                                            "kill, pause or resume, found \"" +
                                                std::string{argv[1]} + "\""};
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    auto code = app.exit(e); // prints the help, or the message and a hint
    return code == 0 ? 0 : 2;
  }
  x.command = app.get_subcommands().front()->get_name();
  if (!connect.empty()) { // checked by host_and_port_problem
    auto colon = connect.rfind(':');
    x.host = connect.substr(0, colon);
    x.connect_port =
        static_cast<uint16_t>(std::strtoul(connect.c_str() + colon + 1, nullptr, 10));
  }
  if (x.node_name.empty()) {
    char name[256] = {};
    gethostname(name, sizeof(name) - 1);
    x.node_name = name[0] ? name : "local";
  }
  return std::nullopt;
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
