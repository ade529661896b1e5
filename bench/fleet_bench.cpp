// Fleet capacity and memory (issue 9, targets 1 and 4): N agent actors and their
// supervisor in one process, every agent beating at 1 Hz through the node's pacer for
// a while. Prints the inter-beat gaps as the supervisor saw them (p50, p99, max), the
// offline verdicts (all false: every agent lives), and the RSS growth per agent;
// beside them, from a child process run first, what CAF alone does with N bare
// actors ticked the same way, and what one bare actor costs.
//
// With --silent K (issue 18), K of the N agents stop answering their ticks at random
// moments of the measurement, as hung agents do: every one must be declared offline,
// each within its exact deadline plus the lateness its node measured, while every
// agent that answers stays alive however late its beats run (beyond capacity too).
//
//   build/bench/fleet_bench [--agents 100000] [--seconds 60] [--no-reference]
//                           [--silent 0] [--label "run 2 of 5"]
//                           [--malloc-stats]  (jemalloc's size classes once registered)
// VIGIL_BENCH_GRANULARITY_US sets the pacer's phase granularity (default 50 ms);
// VIGIL_BENCH_POLICY=sharing|stealing runs on CAF's own scheduler (bench_support.hpp).
#include <sys/wait.h>

#include <random>
#include <unordered_map>
#include <unordered_set>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "bench_support.hpp"
#include "fleet_parts.hpp"
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

double ms_of(duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

/// What became of the mortal agents, and of everyone else.
struct verdict_count {
  std::vector<double> after_deadline_ms; ///< Of each silent agent's first verdict.
  size_t declared = 0;
  size_t within = 0;        ///< By its exact deadline plus the node's lateness.
  size_t false_offline = 0; ///< Answering agents (or before their silence).
};

verdict_count judge(caf::scoped_actor& self, const supervisor_actor& sup,
                    offline_verdicts& got, wall::time_point start,
                    const std::unordered_map<std::string, duration>& silent_after,
                    duration timeout, duration node_lateness, duration self_lag) {
  std::vector<offline_verdict> xs;
  {
    std::lock_guard<std::mutex> guard{got.mtx};
    xs = got.xs;
  }
  verdict_count r;
  std::unordered_set<std::string> judged;
  for (auto& v : xs) {
    auto i = silent_after.find(v.id);
    // The actor clock and `wall` are both the steady clock.
    if (i == silent_after.end() || !judged.insert(v.id).second ||
        v.at.time_since_epoch() < (start + i->second).time_since_epoch()) {
      ++r.false_offline;
      continue;
    }
    agent_status st;
    self->request(sup, caf::infinite, status_atom::value, v.id)
        .receive([&](agent_status& x) { st = std::move(x); }, [](caf::error&) {});
    auto late = v.at - (st.last_beat + timeout);
    ++r.declared;
    r.after_deadline_ms.push_back(ms_of(late));
    // Plus the supervisor's own lag: its timer, too, runs late when it is starved.
    if (late >= duration::zero() && late <= node_lateness + self_lag + 5ms)
      ++r.within;
  }
  return r;
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
  size_t silent = 0;
  std::string label; // "run 2 of 5": appended to the figures
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--agents") == 0 && i + 1 < argc)
      agents = std::strtoull(argv[++i], nullptr, 10);
    else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--no-reference") == 0)
      with_reference = false;
    else if (std::strcmp(argv[i], "--malloc-stats") == 0)
      malloc_stats = true;
    else if (std::strcmp(argv[i], "--label") == 0 && i + 1 < argc)
      label = std::string(" (") + argv[++i] + ")";
    else if (std::strcmp(argv[i], "--silent") == 0 && i + 1 < argc)
      silent = std::strtoull(argv[++i], nullptr, 10);
  }
  silent = std::min(silent, agents);
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
  // Every (agents / silent)-th agent is mortal: it falls silent at a random moment
  // between 5 s into the measurement and 12 s before its end.
  auto plan = std::make_shared<silence_plan>();
  std::vector<caf::actor> mortals;
  std::unordered_map<std::string, duration> silent_after;
  std::mt19937_64 rng{42};
  auto span = std::max(1, seconds - 17);
  std::uniform_int_distribution<int64_t> moment{0, int64_t{span} * 1000000};
  auto stride = silent > 0 ? agents / silent : 0;
  for (size_t i = 0; i < agents; ++i) {
    auto id = "agent-" + std::to_string(i);
    if (stride > 0 && i % stride == 0 && mortals.size() < silent) {
      auto offset = 5s + std::chrono::microseconds(moment(rng));
      silent_after.emplace(id, offset);
      mortals.push_back(sys.spawn(mortal_agent, sup, pacer, id, offset, plan));
    } else {
      agent_options opts{id, "worker", "n1"};
      opts.settings.heartbeat_interval = 1s;
      opts.pacer = pacer;
      fleet.push_back(*spawn_agent(sys, sup, opts));
    }
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
  auto verdicts = std::make_shared<offline_verdicts>();
  auto watcher = sys.spawn(offline_watcher, sup, verdicts);
  auto before = stats(self, sup).beat_gaps_10ms;
  auto tw = wall::now();
  plan->start = tw.time_since_epoch().count();
  // Once a second: how late the node says it runs (the worst report of the run).
  duration worst_lateness{0};
  for (int s = 0; s < seconds; ++s) {
    std::this_thread::sleep_until(tw + std::chrono::seconds(s + 1));
    if (silent > 0 || s % 10 == 9) {
      auto x = stats(self, sup);
      worst_lateness = std::max(worst_lateness, x.peak_node_lateness);
      if (s % 10 == 9)
        progress("fleet: %d s: node lateness %.0f ms (worst so far %.0f ms), "
                 "supervisor lag %.0f ms, %llu checks deferred, %llu offline",
                 s + 1, ms_of(x.worst_node_lateness), ms_of(worst_lateness),
                 ms_of(x.self_lag), static_cast<unsigned long long>(x.deferred_checks),
                 static_cast<unsigned long long>(x.heartbeat_timeouts));
    }
  }
  auto after = stats(self, sup);
  auto window_secs = seconds_since(tw);
  // The last silent agent's verdict can come up to its timeout plus its node's
  // lateness (at most the cap) after the window.
  auto judge_all = [&] {
    return judge(self, sup, *verdicts, tw, silent_after, sc.heartbeat.timeout,
                 worst_lateness, stats(self, sup).peak_self_lag);
  };
  for (auto until = wall::now() + 40s; silent > 0 && wall::now() < until;) {
    worst_lateness = std::max(worst_lateness, stats(self, sup).peak_node_lateness);
    if (judge_all().declared >= silent)
      break;
    std::this_thread::sleep_for(500ms);
  }
  auto judged = judge_all();
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
  // Every timeout verdict of the whole run (registration included) but the silent
  // agents' own is false: the rest answered their ticks.
  auto final_stats = stats(self, sup);
  auto timeouts = final_stats.heartbeat_timeouts;
  auto false_offline =
      timeouts - std::min<uint64_t>(timeouts, judged.declared) + judged.false_offline;
  auto offline_now = c.by_state[agent_state::offline];
  offline_now -= std::min<uint64_t>(offline_now, judged.declared);
  progress("fleet: %.0f beats/s, gap p50 %.0f ms, p99 %.0f ms, max %.0f ms; %llu "
           "false offline, %llu answering agents offline at the end; registered in "
           "%.1f s; worst node lateness %.0f ms, %llu checks deferred",
           rate, p50, p99, gaps.max_ms, static_cast<unsigned long long>(false_offline),
           static_cast<unsigned long long>(offline_now), up, ms_of(worst_lateness),
           static_cast<unsigned long long>(final_stats.deferred_checks));
  auto n = grouped(static_cast<double>(agents));
  // A failed question reads as zeros: never as "held".
  auto answered = !before.empty() && !after.beat_gaps_10ms.empty() && c.registered > 0;
  auto held =
      answered && p99 < 1500 && false_offline == 0 && offline_now == 0 && rate > 0;
  row("1. capacity: " + n + " agents at 1 Hz for " + std::to_string(seconds) + " s" +
          label,
      "p99 gap < 1500 ms, 0 false offline",
      std::string(held ? "held: " : "NOT held: ") + "p99 " + grouped(p99) +
          " ms, max " + grouped(gaps.max_ms) + " ms, " +
          grouped(static_cast<double>(false_offline)) + " false offline (whole run), " +
          grouped(rate) + " beats/s",
      with_reference ? "raw CAF, " + n + " bare actors ticked: " +
                           grouped(ref.answers_per_s) + " answers/s"
                     : "",
      with_reference && ref.answers_per_s > 0 ? ratio_text(rate / ref.answers_per_s)
                                              : "");
  row("4. memory per agent at " + n + " (RSS growth)" + label, "<= 2,048 B",
      grouped(per_agent) + " B",
      with_reference ? "bare CAF actor: " + grouped(ref.bytes_per_actor) + " B" : "",
      with_reference && ref.bytes_per_actor > 0
          ? ratio_text(per_agent / ref.bytes_per_actor)
          : "");
  if (silent > 0) {
    auto& xs = judged.after_deadline_ms;
    auto p50d = quantile(xs, 0.5), p99d = quantile(xs, 0.99), maxd = quantile(xs, 1.0);
    progress("fleet: %zu of %zu silent agents declared offline, %zu within their "
             "deadline + node lateness + supervisor lag; after the deadline p50 %.1f "
             "ms, p99 %.1f ms, max %.1f ms (worst node lateness %.0f ms, worst "
             "supervisor lag %.0f ms)",
             judged.declared, silent, judged.within, p50d, p99d, maxd,
             ms_of(worst_lateness), ms_of(final_stats.peak_self_lag));
    auto degraded = answered && false_offline == 0 && offline_now == 0 &&
                    judged.declared == silent && judged.within == silent;
    char measured[300];
    std::snprintf(measured, sizeof measured,
                  "%s: %s false offline; %zu of %zu silent declared, %zu within "
                  "deadline + lateness; after the deadline p50 %.1f ms, p99 %.1f ms, "
                  "max %.1f ms",
                  degraded ? "held" : "NOT held",
                  grouped(static_cast<double>(false_offline)).c_str(), judged.declared,
                  silent, judged.within, p50d, p99d, maxd);
    row("1b. degrade: " + n + " agents at 1 Hz for " + std::to_string(seconds) +
            " s, " + grouped(static_cast<double>(silent)) + " falling silent" + label,
        "0 false offline; every silent agent offline within deadline + lateness",
        measured,
        "node lateness: worst " + grouped(ms_of(worst_lateness)) +
            " ms; supervisor lag: worst " + grouped(ms_of(final_stats.peak_self_lag)) +
            " ms; " + grouped(static_cast<double>(final_stats.deferred_checks)) +
            " checks deferred",
        "");
  }
  // A million actors take long to end one by one: this process is done.
  std::fflush(stdout);
  _exit(0);
}
