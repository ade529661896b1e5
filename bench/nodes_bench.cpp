// Across nodes (issue 9, target 8): one `vigil-node supervise` process and agent
// processes (`vigil-node agents`, each with its node's pacer batching the beats) on
// loopback, every agent beating at 1 Hz. Prints whether the supervisor holds them
// with the capacity rules (p99 inter-beat gap under 1.5 s, no false offline) and the
// beats per second that cross the wire, with the messages that carry them.
//
//   build/bench/nodes_bench [--agents 100000] [--processes 2] [--seconds 60]
//                           [--vigil-node PATH]
#include <atomic>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "bench_support.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/nodes/node_config.hpp"
#include "vigil/nodes/publish.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

/// A child process, its output in a file; killed at the end whatever happened.
struct child {
  pid_t pid = -1;
  std::string out;
  child(const std::vector<std::string>& argv, std::string out_path)
      : out(std::move(out_path)) {
    pid = fork();
    if (pid == 0) {
      auto fd = fopen(out.c_str(), "w");
      if (fd) {
        dup2(fileno(fd), 1);
        dup2(fileno(fd), 2);
      }
      std::vector<char*> args;
      for (auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~child() {
    if (pid > 0) {
      kill(pid, SIGINT); // a clean end first: agents leave as killed
      for (int i = 0; i < 100 && waitpid(pid, nullptr, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(100ms);
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  std::string text() const {
    std::ifstream in{out};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

struct node_bench_config : caf::actor_system_config {
  explicit node_bench_config(const heartbeat_settings& hb) {
    set("scheduler.max-threads", 1); // an observer: leave the cores to the nodes
    configure_node(*this, hb);
  }
};

} // namespace

int main(int argc, char** argv) {
  size_t agents = 100000;
  size_t processes = 2;
  int seconds = 60;
  std::string label; // "run 2 of 3": appended to the figure
  auto self_dir = std::filesystem::absolute(argv[0]).parent_path();
  std::string node_bin = (self_dir / ".." / "examples" / "vigil-node").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--agents") == 0)
      agents = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--processes") == 0)
      processes = std::max<size_t>(1, std::strtoull(argv[i + 1], nullptr, 10));
    else if (std::strcmp(argv[i], "--seconds") == 0)
      seconds = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--label") == 0)
      label = std::string(" (") + argv[i + 1] + ")";
    else if (std::strcmp(argv[i], "--vigil-node") == 0)
      node_bin = argv[i + 1];
  }
  if (!std::filesystem::exists(node_bin)) {
    std::fprintf(stderr, "nodes_bench: no vigil-node at %s (--vigil-node PATH)\n",
                 node_bin.c_str());
    return 1;
  }
  char tmpl[] = "/tmp/vigil-nodes-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto hb = one_hertz_settings().heartbeat; // the config file below says the same
  auto config = dir + "/vigil.json";
  std::ofstream{config} << R"({"heartbeat": {"interval": "1s", "timeout": "3s",
    "check_interval": "1s", "max_missed": 1}, "history": 4096,
    "log": {"level": "warn"}})";
  int rc = 1;
  {
    child sup_proc{
        {node_bin, "supervise", "--port", "0", "--no-store", "--config", config},
        dir + "/supervise.log"};
    uint16_t port = 0;
    for (int i = 0; i < 200 && port == 0; ++i) {
      std::this_thread::sleep_for(50ms);
      auto text = sup_proc.text();
      if (auto at = text.find("supervising on port "); at != std::string::npos)
        port = static_cast<uint16_t>(std::atoi(text.c_str() + at + 20));
    }
    if (port == 0) {
      std::fprintf(stderr, "nodes_bench: the supervisor did not start:\n%s\n",
                   sup_proc.text().c_str());
      std::filesystem::remove_all(dir);
      return 1;
    }
    progress("nodes: supervisor on port %u; %zu agents in %zu processes", port, agents,
             processes);
    std::vector<std::unique_ptr<child>> nodes;
    for (size_t p = 0; p < processes; ++p) {
      auto count = agents / processes + (p < agents % processes ? 1 : 0);
      nodes.push_back(std::make_unique<child>(
          std::vector<std::string>{
              node_bin, "agents", "--connect", "127.0.0.1:" + std::to_string(port),
              "--count", std::to_string(count), "--id-prefix", "n" + std::to_string(p),
              "--node", "node-" + std::to_string(p), "--work", "idle", "--config",
              config},
          dir + "/agents-" + std::to_string(p) + ".log"));
    }
    node_bench_config cfg{hb};
    caf::actor_system sys{cfg};
    auto sup = reach_supervisor(sys, "127.0.0.1", port);
    if (!sup) {
      std::fprintf(stderr, "nodes_bench: cannot reach the supervisor: %s\n",
                   sys.render(sup.error()).c_str());
      std::filesystem::remove_all(dir);
      return 1;
    }
    caf::scoped_actor self{sys};
    auto ask_stats = [&] {
      supervisor_stats x;
      self->request(*sup, 30s, stats_atom::value)
          .receive([&](supervisor_stats& s) { x = std::move(s); }, [](caf::error&) {});
      return x;
    };
    auto ask_counts = [&] {
      fleet_counts x;
      self->request(*sup, 60s, count_atom::value)
          .receive([&](fleet_counts& c) { x = std::move(c); }, [](caf::error&) {});
      return x;
    };
    auto t0 = wall::now();
    auto give_up = t0 + 10min;
    while (ask_stats().agents < agents && wall::now() < give_up)
      std::this_thread::sleep_for(500ms);
    while (ask_counts().by_state[agent_state::idle] < agents && wall::now() < give_up)
      std::this_thread::sleep_for(1s);
    auto registered_in = seconds_since(t0);
    progress("nodes: %zu agents registered in %.1f s; measuring %d s", agents,
             registered_in, seconds);
    auto before = ask_stats().beat_gaps_10ms;
    auto tw = wall::now();
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    auto after = ask_stats();
    auto window_secs = seconds_since(tw);
    auto gaps = window_between(before, after.beat_gaps_10ms);
    auto& window = gaps.histogram;
    auto c = ask_counts();
    auto rate = static_cast<double>(gaps.beats) / window_secs;
    auto p99 = histogram_quantile_ms(window, 0.99);
    // A failed question reads as zeros: never as "held".
    auto answered =
        !before.empty() && !after.beat_gaps_10ms.empty() && c.registered > 0;
    auto held = answered && p99 < 1500 && after.heartbeat_timeouts == 0 &&
                c.by_state[agent_state::offline] == 0 && rate > 0;
    progress("nodes: %.0f beats/s over the wire, gap p50 %.0f ms, p99 %.0f ms, max "
             "%.0f ms, %llu false offline",
             rate, histogram_quantile_ms(window, 0.5), p99, gaps.max_ms,
             static_cast<unsigned long long>(after.heartbeat_timeouts));
    row("8. across nodes: " + grouped(static_cast<double>(agents)) + " agents in " +
            std::to_string(processes) + " processes on loopback" + label,
        "p99 gap < 1500 ms, 0 false offline",
        std::string(held ? "held: " : "NOT held: ") + "p99 " + grouped(p99) + " ms, " +
            grouped(static_cast<double>(after.heartbeat_timeouts)) +
            " false offline (whole run); " + grouped(rate) +
            " beats/s over the wire; registered in " + grouped(registered_in, 1) + " s",
        "same agents in one process: fleet_bench", "");
    rc = 0;
    nodes.clear(); // agents first, then the supervisor
  }
  std::filesystem::remove_all(dir);
  std::fflush(stdout);
  _exit(rc);
}
