// A user's own actor attached as the agent (attach_agent) beside vigil's agent actor
// (issue 20, item 4): for N agents of each kind, registered with a real supervisor and
// idle, the RSS (and heap) growth per agent, and the cost of a beat: the beats the
// supervisor counted per second of real time at a short interval, and the process's CPU
// time per beat (the supervisor's share included, the same for every kind). Each kind
// runs in a child process of its own, so that no kind reuses memory another freed.
//
// Kinds: vigil's agent alone, with a worker of its own (the README's pattern: the
// agent monitors it), with one worker all agents share (what the monitor alone
// costs), and a user's actor attached; the last two beating to their own timers and
// to a pacer.
//
//   build/bench/attach_bench [--agents 100000] [--seconds 3] [--interval-ms 1000]
#include <sys/wait.h>
#include <time.h>

#include <cstring>
#include <map>
#include <thread>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "bench_support.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/actors/attached_agent.hpp"
#include "vigil/actors/pacer.hpp"
#include "vigil/messages/log.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

enum class kind { classic, classic_worker, classic_shared, attached };

struct variant {
  const char* name;
  kind k;
  bool paced;
};

const variant variants[] = {
    {"vigil agent", kind::classic, false},
    {"vigil agent + own worker", kind::classic_worker, false},
    {"vigil agent + shared worker", kind::classic_shared, false},
    {"attached user actor", kind::attached, false},
    {"vigil agent, paced", kind::classic, true},
    {"attached user actor, paced", kind::attached, true},
};

struct result {
  double rss_per_agent = 0;
  double heap_per_agent = 0;
  double beats_per_s = 0;
  double cpu_ns_per_beat = 0;
  double register_s = 0;
  bool ok = false;
};

// The user's actor: its own protocol (one handler) and the agent's handlers.
struct user_state {
  static inline const char* name = "bench.user";
  attached_agent agent;
};

caf::behavior user_actor(caf::stateful_actor<user_state>* self,
                         agent_facing_supervisor sup, agent_options opts) {
  auto agent = attach_agent(self, std::move(sup), std::move(opts));
  if (!agent) {
    self->quit(agent.error());
    return {};
  }
  self->state.agent = std::move(*agent);
  return self->state.agent.handlers().or_else(caf::message_handler{
      [](int x) { return x; },
  });
}

// The user's work code behind vigil's agent: takes slots, does nothing with them.
caf::behavior idle_worker(caf::event_based_actor*) {
  return {[](work_atom, slot_kind, std::string&) {
  }};
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

fleet_counts counts(caf::scoped_actor& self, const supervisor_actor& sup) {
  fleet_counts x;
  self->request(sup, caf::infinite, count_atom::value)
      .receive([&](fleet_counts& c) { x = std::move(c); }, [](caf::error&) {});
  return x;
}

result measure(const variant& v, size_t n, int seconds, duration interval) {
  result r;
  log()->set_level(spdlog::level::warn);
  // Left to `_exit` (in_child): tearing the fleet down is no part of the figures.
  auto& cfg = *new bench_config;
  auto& sys = *new caf::actor_system{cfg};
  supervisor_settings sc;
  sc.heartbeat.interval = interval;
  sc.heartbeat.timeout = 60s; // no verdicts: the beats are what is measured
  sc.heartbeat.check_interval = 10s;
  sc.heartbeat.max_missed = 1;
  sc.history = 4096;
  auto sup = *spawn_supervisor(sys, sc);
  pacer_actor pacer;
  if (v.paced)
    pacer = *spawn_pacer(sys, sup);
  caf::actor shared;
  if (v.k == kind::classic_shared)
    shared = sys.spawn(idle_worker);
  auto& self = *new caf::scoped_actor{sys};
  std::vector<caf::actor> fleet;
  fleet.reserve(n);
  auto rss0 = rss_bytes();
  auto heap0 = heap_in_use();
  auto t0 = wall::now();
  auto deadline = t0 + 10min;
  for (size_t i = 0; i < n; ++i) {
    agent_options opts{"agent-" + std::to_string(i), "worker", "n1"};
    opts.pacer = pacer;
    if (v.k == kind::classic_worker) {
      opts.worker = sys.spawn(idle_worker);
    } else if (v.k == kind::classic_shared) {
      opts.worker = shared;
      opts.owns_worker = false;
    }
    if (v.k == kind::attached)
      fleet.push_back(sys.spawn(user_actor, sup, std::move(opts)));
    else
      fleet.push_back(caf::actor_cast<caf::actor>(*spawn_agent(sys, sup, opts)));
    // In waves of 1,000 (fleet_bench.cpp): a burst's memory is no agent's cost.
    if ((i + 1) % 1000 == 0)
      while (stats(self, sup).agents < i + 1 && wall::now() < deadline)
        std::this_thread::sleep_for(1ms);
  }
  while (counts(self, sup).by_state[agent_state::idle] < n && wall::now() < deadline)
    std::this_thread::sleep_for(100ms);
  if (wall::now() >= deadline)
    return r;
  r.register_s = seconds_since(t0);
  auto nn = static_cast<double>(n);
  r.rss_per_agent = static_cast<double>(rss_bytes() - rss0) / nn;
  r.heap_per_agent =
      (static_cast<double>(heap_in_use()) - static_cast<double>(heap0)) / nn;
  // One interval to settle (every agent's first beat after registration), then count.
  std::this_thread::sleep_for(interval);
  auto before = stats(self, sup).beat_gaps_10ms;
  auto c0 = cpu_seconds();
  auto tw = wall::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  auto after = stats(self, sup).beat_gaps_10ms;
  auto cpu = cpu_seconds() - c0;
  auto span = seconds_since(tw);
  auto beats = static_cast<double>(window_between(before, after).beats);
  r.beats_per_s = beats / span;
  r.cpu_ns_per_beat = beats > 0 ? cpu * 1e9 / beats : 0;
  r.ok = true;
  return r;
}

/// Runs `v` in a child process (forked before this one starts any thread).
result in_child(const variant& v, size_t n, int seconds, duration interval) {
  int fds[2];
  if (pipe(fds) != 0)
    return {};
  auto pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto r = measure(v, n, seconds, interval);
    auto ignored = write(fds[1], &r, sizeof r);
    static_cast<void>(ignored);
    _exit(0); // no teardown of the fleet
  }
  close(fds[1]);
  result r;
  auto got = read(fds[0], &r, sizeof r);
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return got == sizeof r ? r : result{};
}

std::string bytes_text(double x) {
  return grouped(x) + " B";
}

} // namespace

int main(int argc, char** argv) {
  size_t agents = 100000;
  int seconds = 3;
  int interval_ms = 1000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--agents") == 0 && i + 1 < argc)
      agents = std::strtoull(argv[++i], nullptr, 10);
    else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = std::max(1, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--interval-ms") == 0 && i + 1 < argc)
      interval_ms = std::max(1, std::atoi(argv[++i]));
  }
  agents = std::max<size_t>(agents, 1);
  auto interval = duration{std::chrono::milliseconds(interval_ms)};
  std::map<std::string, result> got;
  for (auto& v : variants) {
    progress("attach: %zu x %s", agents, v.name);
    auto r = in_child(v, agents, seconds, interval);
    if (!r.ok) {
      std::fprintf(stderr, "attach: %s did not finish\n", v.name);
      return 1;
    }
    progress("attach: %s: registered in %.1f s, RSS %.0f B and heap %.0f B per agent, "
             "%.0f beats/s, %.0f ns CPU per beat",
             v.name, r.register_s, r.rss_per_agent, r.heap_per_agent, r.beats_per_s,
             r.cpu_ns_per_beat);
    got[v.name] = r;
  }
  std::printf("attach_bench: %s agents of each kind, beating every %d ms, %d s "
              "measured, %s\n\n",
              grouped(static_cast<double>(agents)).c_str(), interval_ms, seconds,
              scheduler_name().c_str());
  std::printf(
      "| figure | target | measured | reference | ratio |\n|---|---|---|---|---|\n");
  auto compare = [&](const char* figure, const char* kind_name, const char* ref_name,
                     double result::*field, bool bytes) {
    auto x = got[kind_name].*field;
    auto y = got[ref_name].*field;
    auto text = [&](double z) {
      return bytes ? bytes_text(z) : grouped(z) + " ns";
    };
    row(std::string{figure} + ", " + kind_name, "", text(x),
        text(y) + " (" + ref_name + ")", y > 0 ? ratio_text(x / y) : "");
  };
  compare("RSS per agent", "attached user actor", "vigil agent", &result::rss_per_agent,
          true);
  compare("RSS per agent", "attached user actor", "vigil agent + own worker",
          &result::rss_per_agent, true);
  compare("RSS per agent", "attached user actor, paced", "vigil agent, paced",
          &result::rss_per_agent, true);
  compare("heap per agent", "attached user actor", "vigil agent",
          &result::heap_per_agent, true);
  compare("RSS per agent", "vigil agent + shared worker", "vigil agent",
          &result::rss_per_agent, true);
  compare("heap per agent", "vigil agent + shared worker", "vigil agent",
          &result::heap_per_agent, true);
  compare("CPU per beat", "attached user actor", "vigil agent",
          &result::cpu_ns_per_beat, false);
  compare("CPU per beat", "attached user actor, paced", "vigil agent, paced",
          &result::cpu_ns_per_beat, false);
  auto rate = [&](const char* kind_name, const char* ref_name) {
    auto x = got[kind_name].beats_per_s;
    auto y = got[ref_name].beats_per_s;
    row(std::string{"beats/s, "} + kind_name,
        grouped(static_cast<double>(agents) * 1000.0 / interval_ms), grouped(x),
        grouped(y) + " (" + ref_name + ")", y > 0 ? ratio_text(x / y) : "");
  };
  rate("attached user actor", "vigil agent");
  rate("attached user actor, paced", "vigil agent, paced");
  return 0;
}
