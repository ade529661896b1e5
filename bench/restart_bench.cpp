// A restart storm under the supervisor-wide brake (issue 21): N agents crash at once,
// `restart_rate` holds their restarts to `--rate` a second (after a burst of
// `--burst`), while H healthy agents go on beating through the same pacer. Printed:
// the restarts a second achieved, the latency of `count` queries asked every 10 ms
// during the storm (p50, p99, max), the healthy agents' heartbeat timeouts and beat
// gaps in that time, and the RSS per agent once every crashed agent runs again
// (restart state included).
//
//   build/bench/restart_bench [--agents 100000] [--healthy 10000] [--rate 5000]
//                             [--burst 5000]
#include <atomic>
#include <cstring>
#include <thread>

#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>
#include <spdlog/spdlog.h>

#include "bench_support.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/actors/pacer.hpp"
#include "vigil/actors/spawner.hpp"
#include "vigil/messages/log.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

#define STRINGIFY_ARENAS_(x) #x
#define STRINGIFY_ARENAS_2(x) STRINGIFY_ARENAS_(x)
#ifdef VIGIL_WITH_JEMALLOC
#  define STRINGIFY_ARENAS STRINGIFY_ARENAS_2(MALLCTL_ARENAS_ALL)
#endif

uint64_t idle_count(caf::scoped_actor& self, const supervisor_actor& sup) {
  uint64_t n = 0;
  self->request(sup, caf::infinite, count_atom::value)
      .receive([&](fleet_counts& c) { n = c.by_state[agent_state::idle]; },
               [](caf::error&) {});
  return n;
}

// Hands the memory the allocator keeps for reuse back to the system, so that RSS
// after the storm counts what lives (the dead lives' memory is not the new ones').
void release_free_memory() {
#ifdef VIGIL_WITH_JEMALLOC
  mallctl("arena." STRINGIFY_ARENAS ".purge", nullptr, nullptr, nullptr, 0);
#else
  malloc_trim(0);
#endif
}

std::string bytes_text(double x) {
  return grouped(x) + " B";
}

std::string ms_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", x);
  return buf;
}

// What an agent's crash looks like to its supervisor: the actor exits with an error.
void crash(const caf::actor& a) {
  a->enqueue(nullptr, caf::make_message_id(),
             caf::make_message(caf::exit_msg{a.address(), caf::sec::runtime_error}),
             nullptr);
}

} // namespace

int main(int argc, char** argv) {
  size_t n = 100000;
  size_t healthy = 10000;
  double rate = 5000;
  uint32_t burst = 5000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--agents") == 0 && i + 1 < argc)
      n = std::strtoull(argv[++i], nullptr, 10);
    else if (std::strcmp(argv[i], "--healthy") == 0 && i + 1 < argc)
      healthy = std::strtoull(argv[++i], nullptr, 10);
    else if (std::strcmp(argv[i], "--rate") == 0 && i + 1 < argc)
      rate = std::strtod(argv[++i], nullptr);
    else if (std::strcmp(argv[i], "--burst") == 0 && i + 1 < argc)
      burst = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
  }
  n = std::max<size_t>(n, 1);
  rate = std::max(rate, 1.0);
  burst = std::max<uint32_t>(burst, 1);
  log()->set_level(spdlog::level::warn);
  // Left to `_exit`: tearing the fleet down is no part of the figures.
  auto& cfg = *new bench_config;
  auto& sys = *new caf::actor_system{cfg};
  auto sc = one_hertz_settings();
  sc.history = 4096;
  sc.retention = std::chrono::hours(1);
  sc.types["crasher"].restart.policy = restart_mode::transient;
  sc.restart.backoff.min = 1s; // every crasher is due 1 s after the crash
  sc.restart.backoff.max = 1s;
  sc.restart_rate = restart_rate_settings{rate, burst};
  auto sup = *spawn_supervisor(sys, sc);
  auto pacer = *spawn_pacer(sys, sup);
  spawner_options so;
  so.node = "bench";
  so.types = {"crasher"};
  so.pacer = pacer;
  auto spawner =
      spawn_spawner(sys, sup, so,
                    [](const std::string& id,
                       const std::string& type) -> caf::expected<agent_options> {
                      return agent_options{id, type, "bench"};
                    });
  if (!spawner) {
    std::fprintf(stderr, "restart_bench: %s\n", sys.render(spawner.error()).c_str());
    return 1;
  }
  auto& self = *new caf::scoped_actor{sys};
  auto rss0 = rss_bytes();
  auto heap0 = heap_in_use();
  auto t0 = wall::now();
  auto deadline = t0 + 10min;
  std::vector<caf::actor> crashers;
  crashers.reserve(n);
  auto total = n + healthy;
  for (size_t i = 0; i < total; ++i) {
    bool crashes = i < n;
    agent_options opts{(crashes ? "crasher-" : "steady-") + std::to_string(i),
                       crashes ? "crasher" : "steady", "bench"};
    opts.pacer = pacer;
    auto a = caf::actor_cast<caf::actor>(*spawn_agent(sys, sup, opts));
    if (crashes)
      crashers.push_back(std::move(a));
    if ((i + 1) % 1000 ==
        0) // in waves (fleet_bench.cpp): a burst's memory is no agent's
      while (stats(self, sup).agents < i + 1 && wall::now() < deadline)
        std::this_thread::sleep_for(1ms);
  }
  while (idle_count(self, sup) < total && wall::now() < deadline)
    std::this_thread::sleep_for(100ms);
  if (wall::now() >= deadline) {
    std::fprintf(stderr, "restart_bench: the fleet did not register within 10 min\n");
    return 1;
  }
  progress("restart: %zu agents registered in %.1f s", total, seconds_since(t0));
  std::this_thread::sleep_for(2s); // every agent's first paced beat
  auto n_total = static_cast<double>(total);
  auto rss_registered = static_cast<double>(rss_bytes() - rss0) / n_total;
  auto heap_registered =
      (static_cast<double>(heap_in_use()) - static_cast<double>(heap0)) / n_total;
  auto before = stats(self, sup);
  // Queries during the storm, from another thread, every 10 ms.
  std::atomic<bool> storming{true};
  std::vector<double> latencies;
  std::thread querier{[&] {
    caf::scoped_actor q{sys};
    while (storming) {
      auto t = wall::now();
      q->request(sup, caf::infinite, count_atom::value)
          .receive([](fleet_counts&) {}, [](caf::error&) {});
      latencies.push_back(seconds_since(t) * 1000);
      std::this_thread::sleep_for(10ms);
    }
  }};
  auto crash_at = wall::now();
  for (auto& a : crashers)
    crash(a);
  crashers.clear();
  crashers.shrink_to_fit();
  // Poll the restarts made until all are back.
  double first_t = -1, last_t = -1;
  uint64_t first_n = 0, made = 0;
  auto storm_deadline =
      crash_at + std::chrono::seconds(static_cast<int64_t>(3 * n / rate) + 60);
  while (wall::now() < storm_deadline) {
    auto s = stats(self, sup);
    made = s.restarts - before.restarts;
    auto t = seconds_since(crash_at);
    if (first_t < 0 && made >= burst) {
      first_t = t;
      first_n = made;
    }
    if (made >= n) {
      last_t = t;
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  storming = false;
  querier.join();
  if (last_t < 0) {
    std::fprintf(stderr, "restart_bench: %llu of %zu restarts made by the deadline\n",
                 static_cast<unsigned long long>(made), n);
    return 1;
  }
  while (idle_count(self, sup) < total && wall::now() < storm_deadline)
    std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(2s);
  auto after = stats(self, sup);
  auto heap_after =
      (static_cast<double>(heap_in_use()) - static_cast<double>(heap0)) / n_total;
  release_free_memory();
  auto rss_per_agent = static_cast<double>(rss_bytes() - rss0) / n_total;
  auto achieved =
      last_t > first_t ? static_cast<double>(n - first_n) / (last_t - first_t) : 0.0;
  auto gaps = window_between(before.beat_gaps_10ms, after.beat_gaps_10ms);
  auto p50 = quantile(latencies, 0.5);
  auto p99 = quantile(latencies, 0.99);
  auto worst = latencies.empty() ? 0.0 : latencies.back(); // sorted by quantile
  progress("restart: %zu restarts in %.1f s after the crash; %zu count queries", n,
           last_t, latencies.size());
  std::printf(
      "restart_bench: %s agents crash at once beside %s healthy ones, "
      "restart_rate {\"per_second\": %s, \"burst\": %u}, beats every 1 s, %s\n\n",
      grouped(static_cast<double>(n)).c_str(),
      grouped(static_cast<double>(healthy)).c_str(), grouped(rate).c_str(), burst,
      scheduler_name().c_str());
  std::printf(
      "| figure | target | measured | reference | ratio |\n|---|---|---|---|---|\n");
  row("restarts/s after the burst", grouped(rate), grouped(achieved), "",
      ratio_text(achieved / rate));
  row("all restarted, after the crash", "", grouped(last_t, 1) + " s",
      grouped(1 + static_cast<double>(n - std::min<size_t>(n, burst)) / rate, 1) +
          " s (1 s backoff + the rate)",
      "");
  row("count query p50 / p99 / max during the storm", "p99 <= 50 ms",
      ms_text(p50) + " / " + ms_text(p99) + " / " + ms_text(worst), "", "");
  row("heartbeat timeouts during the storm", "0",
      grouped(
          static_cast<double>(after.heartbeat_timeouts - before.heartbeat_timeouts)),
      "", "");
  row("beat gap p99 / max during the storm", "< 3 s (the timeout)",
      grouped(histogram_quantile_ms(gaps.histogram, 0.99)) + " ms / " +
          grouped(gaps.max_ms) + " ms",
      "", "");
  row("supervisor timer lag, peak", "",
      ms_text(std::chrono::duration<double, std::milli>(after.peak_self_lag).count()),
      "", "");
  row("restarts given up", "0",
      grouped(static_cast<double>(after.restarts_given_up - before.restarts_given_up)),
      "", "");
  row("RSS per agent, registered (before the storm)", "<= 2,048 B",
      bytes_text(rss_registered), "", ratio_text(rss_registered / 2048));
  row("heap per agent, registered / after the storm (restart state included)", "",
      bytes_text(heap_registered) + " / " + bytes_text(heap_after),
      "", heap_registered > 0 ? ratio_text(heap_after / heap_registered) : "");
  row("RSS per agent after the storm, free memory returned", "<= 2,048 B",
      bytes_text(rss_per_agent), "", ratio_text(rss_per_agent / 2048));
  std::fflush(stdout);
  _exit(0);
}
