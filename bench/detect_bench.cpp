// Detection latency in real time (issue 9, target 3): 100,000 agents beat at 1 Hz in
// a pacer's batches (20 phases a second, as `spawn_pacer` sends them); 1,000 of them,
// picked at random, fall silent at moments spread over three seconds. For each, the
// exact deadline of DESIGN §5 is its last beat as the supervisor recorded it plus the
// timeout (max_missed 1); the latency is the time of the offline verdict (the event's
// `at`, the supervisor's clock) after that deadline. Also printed: when a subscriber
// had the event in hand, and any offline verdict for an agent that kept beating.
//
//   build/bench/detect_bench [--agents 100000] [--silent 1000]
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "bench_support.hpp"
#include "vigil/messages/log.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

struct verdict {
  std::string id;
  time_point at;   ///< Declared (the supervisor's clock).
  time_point seen; ///< In the subscriber's hands.
};

struct verdicts {
  std::mutex mtx;
  std::vector<verdict> xs;
};

struct watcher_state {
  static inline const char* name = "bench.offline_watcher";
  std::shared_ptr<verdicts> out;
};

caf::behavior watcher(caf::stateful_actor<watcher_state>* self, supervisor_actor sup,
                      std::shared_ptr<verdicts> out) {
  self->state.out = std::move(out);
  subscription_request req;
  req.filter.kinds = {event_kind::transition};
  req.filter.states = {agent_state::offline};
  self->request(sup, caf::infinite, std::move(req)).then([](snapshot&) {});
  return {
      [=](event_batch& b) {
        auto now = self->clock().now();
        {
          std::lock_guard<std::mutex> guard{self->state.out->mtx};
          for (auto& e : b.events)
            if (e.to == agent_state::offline)
              self->state.out->xs.push_back(verdict{e.agent, e.at, now});
        }
        if (!b.events.empty())
          self->send(sup, ack_atom::value, b.events.back().seq);
      },
      [](snapshot&) {},
  };
}

double ms(duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

} // namespace

int main(int argc, char** argv) {
  size_t agents = 100000;
  size_t silent = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--agents") == 0)
      agents = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--silent") == 0)
      silent = std::strtoull(argv[i + 1], nullptr, 10);
  }
  silent = std::min(silent, agents);
  log()->set_level(spdlog::level::err); // the misses are the point here
  bench_config cfg;
  caf::actor_system sys{cfg};
  auto sc = one_hertz_settings();
  auto sup = *spawn_supervisor(sys, sc);
  caf::scoped_actor self{sys};
  auto ids = fleet_ids(agents);
  progress("detect: registering %zu agents", agents);
  auto fleet = register_fleet(self, sup, ids);
  auto out = std::make_shared<verdicts>();
  auto w = sys.spawn(watcher, sup, out);
  // Who falls silent, and when: spread over 3 s after 5 s of beating.
  std::mt19937_64 rng{42};
  std::vector<size_t> order(agents);
  for (size_t i = 0; i < agents; ++i)
    order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<wall::time_point> silent_from(agents, wall::time_point::max());
  auto t0 = wall::now();
  for (size_t j = 0; j < silent; ++j)
    silent_from[order[j]] =
        t0 + 5s + std::chrono::microseconds(3000000 * j / std::max<size_t>(silent, 1));
  std::unordered_set<std::string> quiet;
  for (size_t j = 0; j < silent; ++j)
    quiet.insert(ids[order[j]]);
  // The pacer's job, done here: 20 phases a second, each a batch of its agents.
  progress("detect: beating for 12 s; %zu agents fall silent between 5 s and 8 s",
           silent);
  // One beat for everyone first: registering took a while.
  for (size_t i = 0; i < agents; i += 5000) {
    beat_batch b;
    for (auto j = i; j < std::min(agents, i + 5000); ++j)
      b.beats.push_back(fleet.beat(j));
    self->send(sup, std::move(b));
  }
  auto next = t0;
  for (size_t tick = 0; tick < 240; ++tick) {
    std::this_thread::sleep_until(next);
    auto phase = tick % 20;
    beat_batch b;
    auto now = wall::now();
    for (auto i = phase * agents / 20; i < (phase + 1) * agents / 20; ++i) {
      if (now < silent_from[i])
        b.beats.push_back(fleet.beat(i));
      if (b.beats.size() == 8192) { // a pacer's batch size (the supervisor takes 16384)
        self->send(sup, std::move(b));
        b = beat_batch{};
      }
    }
    self->send(sup, std::move(b));
    next += 50ms;
  }
  // Deadlines are at most 3 s after the last silence began: wait for the last one.
  std::this_thread::sleep_for(1s);
  std::vector<verdict> got;
  {
    std::lock_guard<std::mutex> guard{out->mtx};
    got = out->xs;
  }
  std::vector<double> declared, seen;
  size_t false_offline = 0;
  std::unordered_set<std::string> judged; // the first verdict of each agent
  for (auto& v : got) {
    if (quiet.count(v.id) == 0 || !judged.insert(v.id).second) {
      ++false_offline; // a live agent, or a second verdict for a quiet one
      continue;
    }
    agent_status st;
    self->request(sup, caf::infinite, status_atom::value, v.id)
        .receive([&](agent_status& x) { st = std::move(x); }, [](caf::error&) {});
    auto deadline = st.last_beat + sc.heartbeat.timeout;
    if (v.at < deadline) { // before its exact deadline: as false as any
      ++false_offline;
      continue;
    }
    declared.push_back(ms(v.at - deadline));
    seen.push_back(ms(v.seen - deadline));
  }
  auto found = declared.size();
  auto p50 = quantile(declared, 0.5), p99 = quantile(declared, 0.99),
       worst = quantile(declared, 1.0);
  auto s99 = quantile(seen, 0.99);
  progress("detect: %zu of %zu silent agents declared offline; after the deadline: "
           "p50 %.3f ms, p99 %.3f ms, max %.3f ms (in a subscriber's hands: p99 %.3f "
           "ms); %zu false offline",
           found, silent, p50, p99, worst, s99, false_offline);
  char measured[200];
  std::snprintf(measured, sizeof measured,
                "%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%zu of %zu declared, %zu "
                "false)",
                p99 < 5 && found == silent && false_offline == 0 ? "met" : "NOT met",
                p50, p99, worst, found, silent, false_offline);
  char subscriber[120];
  std::snprintf(subscriber, sizeof subscriber, "subscriber had it: p99 %.2f ms", s99);
  row("3. detection: offline after the exact deadline, " + grouped(agents) + " agents",
      "p99 < 5 ms", measured,
      std::string(subscriber) + "; hand-written asyncio monitor: 2-3 s",
      ratio_text(p99 / 5.0));
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  self->send_exit(w, caf::exit_reason::user_shutdown);
  end_owners(self, fleet);
  std::fflush(stdout);
  _exit(0);
}
