// Fleet capacity and memory (issue 9, targets 1 and 4): N agent actors and their
// supervisor in one process, every agent beating at 1 Hz through the node's pacer for
// a while. Prints the inter-beat gaps as the supervisor saw them (p50, p99, max), the
// offline verdicts (all false: every agent lives), and the RSS growth per agent;
// beside them, from a child process run first, what CAF alone does with N bare
// actors ticked the same way, and what one bare actor costs.
//
//   build/bench/fleet_bench [--agents 100000] [--seconds 60] [--no-reference]
//                           [--malloc-stats]  (jemalloc's size classes once registered)
// VIGIL_BENCH_GRANULARITY_US sets the pacer's phase granularity (default 50 ms);
// VIGIL_BENCH_POLICY=sharing|stealing runs on CAF's own scheduler (bench_support.hpp).
#include <sys/wait.h>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "bench_support.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/actors/pacer.hpp"
#include "vigil/messages/log.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

using tick_atom = caf::atom_constant<caf::atom("tick")>;

struct ticker_state {
  static inline const char* name = "bench.ticker";
  std::vector<caf::actor> actors;
  size_t phase = 0;
  wall::time_point next; ///< On a fixed grid: no drift.
  uint64_t answers = 0;
};

// The reference: what CAF alone does with the same number of actors, each ticked
// once a second in 20 phases and answering its ticker, as our pacer and agents do.
caf::behavior ticker(caf::stateful_actor<ticker_state>* self) {
  return {
      [self](std::vector<caf::actor>& xs) {
        self->state.actors = std::move(xs);
        self->state.next = wall::now();
        self->send(self, tick_atom::value);
      },
      [self](tick_atom) {
        auto& st = self->state;
        auto n = st.actors.size();
        for (auto i = st.phase * n / 20; i < (st.phase + 1) * n / 20; ++i)
          self->send(st.actors[i], tick_atom::value, static_cast<uint32_t>(i));
        st.phase = (st.phase + 1) % 20;
        st.next += 50ms;
        self->delayed_send(self, st.next - wall::now(), tick_atom::value);
      },
      [self](tick_atom, uint32_t, agent_state, uint64_t) { ++self->state.answers; },
      [self](get_atom) { return self->state.answers; },
  };
}

caf::behavior bare_agent(caf::event_based_actor* self, caf::actor ticker) {
  return {[self, ticker](tick_atom, uint32_t ticket) {
    self->send(ticker, tick_atom::value, ticket, agent_state::idle, uint64_t{1});
  }};
}

struct reference {
  double answers_per_s = 0;
  double bytes_per_actor = 0;
};

/// Runs the raw CAF reference in a child process (before this one starts any
/// thread), so that its memory and load do not mix with ours.
reference raw_reference(size_t n) {
  int fds[2];
  if (pipe(fds) != 0)
    return {};
  auto pid = fork();
  if (pid == 0) {
    close(fds[0]);
    reference r;
    bench_config cfg;
    caf::actor_system sys{cfg};
    auto t = sys.spawn(ticker);
    auto rss0 = rss_bytes();
    std::vector<caf::actor> xs;
    xs.reserve(n);
    for (size_t i = 0; i < n; ++i)
      xs.push_back(sys.spawn(bare_agent, t));
    r.bytes_per_actor =
        static_cast<double>(rss_bytes() - rss0) / static_cast<double>(n);
    caf::scoped_actor self{sys};
    self->send(t, xs);
    std::this_thread::sleep_for(3s);
    auto answers = [&] {
      uint64_t x = 0;
      self->request(t, caf::infinite, get_atom::value)
          .receive([&](uint64_t y) { x = y; }, [](caf::error&) {});
      return x;
    };
    auto a0 = answers();
    auto t0 = wall::now();
    std::this_thread::sleep_for(10s);
    r.answers_per_s = static_cast<double>(answers() - a0) / seconds_since(t0);
    auto ignored = write(fds[1], &r, sizeof r);
    static_cast<void>(ignored);
    _exit(0); // no teardown of a million actors
  }
  close(fds[1]);
  reference r;
  auto got = read(fds[0], &r, sizeof r);
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return got == sizeof r ? r : reference{};
}

fleet_counts counts(caf::scoped_actor& self, const supervisor_actor& sup) {
  fleet_counts x;
  self->request(sup, 30s, count_atom::value)
      .receive([&](fleet_counts& c) { x = std::move(c); }, [](caf::error&) {});
  return x;
}

} // namespace

int main(int argc, char** argv) {
  size_t agents = 100000;
  int seconds = 60;
  bool with_reference = true;
  bool malloc_stats = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--agents") == 0 && i + 1 < argc)
      agents = std::strtoull(argv[++i], nullptr, 10);
    else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--no-reference") == 0)
      with_reference = false;
    else if (std::strcmp(argv[i], "--malloc-stats") == 0)
      malloc_stats = true;
  }
  reference ref;
  if (with_reference) {
    progress("fleet: raw CAF reference, %zu bare actors ticked at 1 Hz", agents);
    ref = raw_reference(agents);
  }
  log()->set_level(spdlog::level::warn);
  bench_config cfg;
  caf::actor_system sys{cfg};
  auto sc = one_hertz_settings();
  sc.history = 4096;
  auto sup = *spawn_supervisor(sys, sc);
  pacer_options popts;
  if (auto g = std::getenv("VIGIL_BENCH_GRANULARITY_US"))
    popts.granularity = std::chrono::microseconds(std::atoi(g));
  auto pacer = *spawn_pacer(sys, sup, popts);
  caf::scoped_actor self{sys};
  auto rss0 = rss_bytes();
  auto heap0 = heap_in_use();
  auto t0 = wall::now();
  progress("fleet: spawning %zu agents", agents);
  std::vector<agent_actor> fleet;
  fleet.reserve(agents);
  // In waves of 1,000, as `vigil-node agents` starts them: a million registrations at
  // once would fill the supervisor's mailbox, and the allocator would keep that
  // burst's memory for reuse, which is no agent's cost. The heap in use is printed
  // beside it.
  auto deadline = wall::now() + 15min;
  for (size_t i = 0; i < agents; ++i) {
    agent_options opts{"agent-" + std::to_string(i), "worker", "n1"};
    opts.settings.heartbeat_interval = 1s;
    opts.pacer = pacer;
    fleet.push_back(*spawn_agent(sys, sup, opts));
    if ((i + 1) % 1000 == 0)
      while (stats(self, sup).agents < i + 1 && wall::now() < deadline)
        std::this_thread::sleep_for(1ms);
  }
  // Cheap questions while they register: `count_atom` walks the whole record.
  while (stats(self, sup).agents < agents && wall::now() < deadline)
    std::this_thread::sleep_for(100ms);
  while (counts(self, sup).by_state[agent_state::idle] < agents &&
         wall::now() < deadline)
    std::this_thread::sleep_for(1s);
  auto up = seconds_since(t0);
  auto rss1 = rss_bytes();
  auto heap1 = heap_in_use();
  progress("fleet: %zu agents registered in %.1f s; RSS grew %.0f B per agent, the "
           "heap in use %.0f B; measuring %d s",
           agents, up, static_cast<double>(rss1 - rss0) / static_cast<double>(agents),
           (static_cast<double>(heap1) - static_cast<double>(heap0)) /
               static_cast<double>(agents),
           seconds);
#ifdef VIGIL_WITH_JEMALLOC
  if (malloc_stats) // where the memory went, by size class (merged over all arenas)
    malloc_stats_print(nullptr, nullptr, "gadxe");
#else
  if (malloc_stats)
    progress("fleet: --malloc-stats needs a build with VIGIL_JEMALLOC");
#endif
  auto before = stats(self, sup).beat_gaps_10ms;
  auto tw = wall::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  auto after = stats(self, sup);
  auto window_secs = seconds_since(tw);
  auto gaps = window_between(before, after.beat_gaps_10ms);
  auto& window = gaps.histogram;
  auto c = counts(self, sup);
#ifdef VIGIL_WITH_JEMALLOC
  if (malloc_stats) {
    progress("fleet: RSS grew %.0f B per agent by the end",
             static_cast<double>(rss_bytes() - rss0) / static_cast<double>(agents));
    malloc_stats_print(nullptr, nullptr, "gadxe");
  }
#endif
  auto rate = static_cast<double>(gaps.beats) / window_secs;
  auto p50 = histogram_quantile_ms(window, 0.50);
  auto p99 = histogram_quantile_ms(window, 0.99);
  auto per_agent = static_cast<double>(rss1 - rss0) / static_cast<double>(agents);
  progress("fleet: %.0f beats/s, gap p50 %.0f ms, p99 %.0f ms, max %.0f ms; %llu "
           "false offline, %llu offline at the end; registered in %.1f s",
           rate, p50, p99, gaps.max_ms,
           static_cast<unsigned long long>(after.heartbeat_timeouts),
           static_cast<unsigned long long>(c.by_state[agent_state::offline]), up);
  auto n = grouped(static_cast<double>(agents));
  // A failed question reads as zeros: never as "held".
  auto answered = !before.empty() && !after.beat_gaps_10ms.empty() && c.registered > 0;
  auto held = answered && p99 < 1500 && after.heartbeat_timeouts == 0 &&
              c.by_state[agent_state::offline] == 0 && rate > 0;
  row("1. capacity: " + n + " agents at 1 Hz for " + std::to_string(seconds) + " s",
      "p99 gap < 1500 ms, 0 false offline",
      std::string(held ? "held: " : "NOT held: ") + "p99 " + grouped(p99) +
          " ms, max " + grouped(gaps.max_ms) + " ms, " +
          grouped(static_cast<double>(after.heartbeat_timeouts)) +
          " false offline (whole run), " + grouped(rate) + " beats/s",
      with_reference ? "raw CAF, " + n + " bare actors ticked: " +
                           grouped(ref.answers_per_s) + " answers/s"
                     : "",
      with_reference && ref.answers_per_s > 0 ? ratio_text(rate / ref.answers_per_s)
                                              : "");
  row("4. memory per agent at " + n + " (RSS growth)", "<= 2,048 B",
      grouped(per_agent) + " B",
      with_reference ? "bare CAF actor: " + grouped(ref.bytes_per_actor) + " B" : "",
      with_reference && ref.bytes_per_actor > 0
          ? ratio_text(per_agent / ref.bytes_per_actor)
          : "");
  // A million actors take long to end one by one: this process is done.
  std::fflush(stdout);
  _exit(0);
}
