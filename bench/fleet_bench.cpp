// Fleet capacity and memory (issue 9, targets 1 and 4): N agent actors and their
// supervisor in one process, every agent beating at 1 Hz through the node's pacer for
// a while. Prints the inter-beat gaps as the supervisor saw them (p50, p99, max), the
// offline verdicts (all false: every agent lives), and the RSS growth per agent.
//
//   build/bench/fleet_bench [--agents 100000] [--seconds 60]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "vigil/actors/agent.hpp"
#include "vigil/actors/pacer.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/supervisors/supervisor.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

struct bench_config : caf::actor_system_config {
  bench_config() {
    set("scheduler.max-threads", 2);
    // An actor with a full mailbox (the pacer, the supervisor) yields its thread after
    // this many messages; CAF's default (no limit) lets it starve the actors queued
    // behind it on the same worker.
    set("scheduler.max-throughput", 300);
    register_types(*this);
  }
};

size_t rss_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

struct counter_state {
  static inline const char* name = "bench.offline_counter";
  std::shared_ptr<std::atomic<uint64_t>> offline;
};

// Subscribes to transitions and counts the ones to offline.
caf::behavior offline_counter(caf::stateful_actor<counter_state>* self,
                              supervisor_actor sup,
                              std::shared_ptr<std::atomic<uint64_t>> offline) {
  self->state.offline = std::move(offline);
  // Only transitions to offline: a small snapshot and few events, so that watching
  // does not load the supervisor it measures.
  subscription_request req;
  req.filter.kinds = {event_kind::transition};
  req.filter.states = {agent_state::offline};
  self->request(sup, caf::infinite, std::move(req)).then([](snapshot&) {});
  return {
      [=](event_batch& b) {
        for (auto& e : b.events)
          if (e.to == agent_state::offline)
            ++*self->state.offline;
        if (!b.events.empty())
          self->send(sup, ack_atom::value, b.events.back().seq);
      },
      [](snapshot&) {},
  };
}

supervisor_stats stats(caf::scoped_actor& self, const supervisor_actor& sup) {
  supervisor_stats x;
  self->request(sup, 30s, stats_atom::value)
      .receive([&](supervisor_stats& s) { x = std::move(s); }, [](caf::error&) {});
  return x;
}

fleet_counts counts(caf::scoped_actor& self, const supervisor_actor& sup) {
  fleet_counts x;
  self->request(sup, 30s, count_atom::value)
      .receive([&](fleet_counts& c) { x = std::move(c); }, [](caf::error&) {});
  return x;
}

/// The smallest gap (bucket upper edge, ms) below which `q` of the samples lie.
double quantile_ms(const std::vector<uint64_t>& h, double q) {
  uint64_t total = 0;
  for (auto n : h)
    total += n;
  uint64_t seen = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    seen += h[i];
    if (static_cast<double>(seen) >= q * static_cast<double>(total))
      return static_cast<double>(i + 1) * 10;
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  size_t agents = 100000;
  int seconds = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--agents") == 0)
      agents = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--seconds") == 0)
      seconds = std::atoi(argv[i + 1]);
  }
  log()->set_level(spdlog::level::warn);
  bench_config cfg;
  caf::actor_system sys{cfg};
  supervisor_settings sc;
  sc.heartbeat.interval = 1s;
  sc.heartbeat.timeout = 3s;
  sc.heartbeat.check_interval = 1s;
  sc.heartbeat.max_missed = 1;
  sc.history = 4096;
  auto sup = *spawn_supervisor(sys, sc);
  auto offline = std::make_shared<std::atomic<uint64_t>>(0);
  auto pacer = *spawn_pacer(sys, sup);
  caf::scoped_actor self{sys};
  auto rss0 = rss_bytes();
  auto t0 = std::chrono::steady_clock::now();
  std::vector<agent_actor> fleet;
  fleet.reserve(agents);
  for (size_t i = 0; i < agents; ++i) {
    agent_options opts{"agent-" + std::to_string(i), "worker", "n1"};
    opts.settings.heartbeat_interval = 1s;
    opts.pacer = pacer;
    fleet.push_back(*spawn_agent(sys, sup, opts));
  }
  // Cheap questions while they register: `count_atom` walks the whole record.
  while (stats(self, sup).agents < agents)
    std::this_thread::sleep_for(100ms);
  while (counts(self, sup).by_state[agent_state::idle] < agents)
    std::this_thread::sleep_for(1s);
  auto up =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto rss1 = rss_bytes();
  auto counter = sys.spawn(offline_counter, sup, offline);
  auto before = stats(self, sup).beat_gaps_10ms;
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  auto after = stats(self, sup);
  std::vector<uint64_t> window(after.beat_gaps_10ms.size());
  uint64_t beats = 0;
  size_t worst = 0;
  for (size_t i = 0; i < window.size(); ++i) {
    window[i] = after.beat_gaps_10ms[i] - (i < before.size() ? before[i] : 0);
    beats += window[i];
    if (window[i] > 0)
      worst = i;
  }
  auto c = counts(self, sup);
  std::printf("%-46s %12zu\n", "agents", agents);
  std::printf("%-46s %12.1f s\n", "spawned and registered in", up);
  std::printf("%-46s %12.0f beats/s\n", "beats seen by the supervisor",
              static_cast<double>(beats) / seconds);
  std::printf("%-46s %12.0f ms\n", "inter-beat gap p50", quantile_ms(window, 0.50));
  std::printf("%-46s %12.0f ms (target < 1500)\n", "inter-beat gap p99",
              quantile_ms(window, 0.99));
  std::printf("%-46s %12.0f ms\n", "inter-beat gap max (10 ms buckets)",
              static_cast<double>(worst + 1) * 10);
  std::printf("%-46s %12llu (target 0)\n", "false offline verdicts",
              static_cast<unsigned long long>(offline->load()));
  std::printf("%-46s %12llu\n", "offline at the end",
              static_cast<unsigned long long>(c.by_state[agent_state::offline]));
  std::printf("%-46s %12.0f B (target <= 2048)\n", "RSS growth per agent",
              static_cast<double>(rss1 - rss0) / static_cast<double>(agents));
  for (auto& a : fleet)
    self->send_exit(a, caf::exit_reason::user_shutdown);
  self->send_exit(pacer, caf::exit_reason::user_shutdown);
  self->send_exit(counter, caf::exit_reason::user_shutdown);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  return 0;
}
