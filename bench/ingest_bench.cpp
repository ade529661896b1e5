// Heartbeat ingest and per-beat cost (issue 9, targets 2 and 7).
//
// Target 2: the supervisor takes single heartbeats at no less than half the rate a
// bare CAF actor with a one-counter handler takes the same number of messages, both
// measured here, alternating, three rounds each (the medians are compared), sent the
// same way (one actor sends them all, then asks a question whose answer comes after
// the last one is handled).
// Target 7: the cost per beat of a pacer's batches at 10k, 100k and 1M registered
// agents; flat means O(1) per beat, whatever the fleet size.
//
//   build/bench/ingest_bench [--messages 2000000] [--fleets 10000,100000,1000000]
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "bench_support.hpp"
#include "vigil/messages/log.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

struct counter_state {
  static inline const char* name = "bench.counter";
  uint64_t n = 0;
};

// The reference: CAF's message path and nothing else.
caf::behavior counter(caf::stateful_actor<counter_state>* self) {
  return {
      [self](beat_atom, uint64_t) { ++self->state.n; },
      [self](get_atom) { return self->state.n; },
  };
}

double raw_rate(caf::actor_system& sys, size_t messages) {
  auto c = sys.spawn(counter);
  caf::scoped_actor self{sys};
  // Made once and sent again and again (a reference count each): the sender's cost
  // is the same here and below, so the receivers are what is compared.
  auto msg = caf::make_message(beat_atom::value, uint64_t{1});
  auto t0 = wall::now();
  for (size_t i = 0; i < messages; ++i)
    self->send(c, msg);
  uint64_t got = 0;
  self->request(c, caf::infinite, get_atom::value)
      .receive([&](uint64_t n) { got = n; }, [](caf::error&) {});
  auto secs = seconds_since(t0);
  self->send_exit(c, caf::exit_reason::user_shutdown);
  if (got != messages)
    progress("raw counter saw %llu of %zu messages", (unsigned long long)got, messages);
  return static_cast<double>(messages) / secs;
}

/// Single heartbeats, one message per beat, from the agents' own (here: one) actor.
double heartbeat_rate(caf::actor_system& sys, size_t messages) {
  auto sup = *spawn_supervisor(sys, one_hertz_settings());
  caf::scoped_actor self{sys};
  auto ids = fleet_ids(10000);
  auto acks = register_owned(self, sup, ids);
  std::vector<caf::message> beats;
  for (size_t i = 0; i < ids.size(); ++i)
    beats.push_back(caf::make_message(
        heartbeat{ids[i], acks[i].beat_secret, agent_state::idle, 1}));
  auto before = stats(self, sup);
  auto untyped = caf::actor_cast<caf::actor>(sup);
  auto t0 = wall::now();
  for (size_t i = 0; i < messages; ++i)
    self->send(untyped, beats[i % beats.size()]);
  auto after = stats(self, sup);
  auto secs = seconds_since(t0);
  uint64_t counted = 0;
  for (size_t i = 0; i < after.beat_gaps_10ms.size(); ++i)
    counted += after.beat_gaps_10ms[i] - before.beat_gaps_10ms[i];
  if (counted != messages)
    progress("the supervisor counted %llu of %zu heartbeats",
             (unsigned long long)counted, messages);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  return static_cast<double>(messages) / secs;
}

/// Beats of `fleet` registered agents in a pacer's batches of 1,000: ns per beat.
double batch_cost_ns(caf::actor_system& sys, size_t fleet, size_t min_beats) {
  // A timeout longer than registering a million agents takes: no agent may miss a
  // beat before the rounds begin (a verdict is not a beat's cost).
  auto s = one_hertz_settings();
  s.heartbeat.timeout = 120s;
  auto sup = *spawn_supervisor(sys, s);
  caf::scoped_actor self{sys};
  auto t_reg = wall::now();
  auto record = register_fleet(self, sup, fleet_ids(fleet));
  auto& keys = record.keys;
  progress("  %zu agents registered in %.1f s", fleet, seconds_since(t_reg));
  auto rounds = std::max<size_t>(3, (min_beats + fleet - 1) / fleet);
  constexpr size_t batch = 1000;
  auto t0 = wall::now();
  for (size_t r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < keys.size(); i += batch) {
      beat_batch b;
      auto end = std::min(keys.size(), i + batch);
      b.beats.reserve(end - i);
      for (size_t j = i; j < end; ++j)
        b.beats.push_back(record.beat(j));
      self->send(sup, std::move(b));
    }
    stats(self, sup); // one round at a time: every agent beats well within its timeout
  }
  auto secs = seconds_since(t0);
  auto c = stats(self, sup);
  if (c.agents != fleet)
    progress("  the supervisor holds %llu records, not %zu",
             (unsigned long long)c.agents, fleet);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  end_owners(self, record);
  return secs * 1e9 / static_cast<double>(rounds * fleet);
}

} // namespace

int main(int argc, char** argv) {
  size_t messages = 2000000;
  std::vector<size_t> fleets{10000, 100000, 1000000};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--messages") == 0) {
      messages = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (std::strcmp(argv[i], "--fleets") == 0) {
      fleets.clear();
      for (char* p = argv[i + 1]; *p;) {
        fleets.push_back(std::strtoull(p, &p, 10));
        if (*p == ',')
          ++p;
      }
    }
  }
  log()->set_level(spdlog::level::warn);
  bench_config cfg;
  caf::actor_system sys{cfg};
  progress("ingest: %zu messages to a bare counter actor, then as heartbeats",
           messages);
  // Three rounds, the two alternating, and the median of each: a shared machine's
  // noise hits both alike.
  std::vector<double> raws, hbs;
  for (int round = 0; round < 3; ++round) {
    raws.push_back(raw_rate(sys, messages));
    hbs.push_back(heartbeat_rate(sys, messages));
  }
  progress("  raw CAF: %.0f, %.0f, %.0f msg/s; heartbeats: %.0f, %.0f, %.0f /s",
           raws[0], raws[1], raws[2], hbs[0], hbs[1], hbs[2]);
  auto raw = quantile(raws, 0.5);
  auto hb = quantile(hbs, 0.5);
  row("2. ingest: single heartbeats/s at the supervisor", ">= 50% of raw CAF",
      grouped(hb) + "/s", "raw CAF counter: " + grouped(raw) + " msg/s",
      ratio_text(hb / raw));
  std::vector<double> costs;
  for (auto n : fleets) {
    progress("per-beat cost at %zu agents", n);
    costs.push_back(batch_cost_ns(sys, n, 3000000));
  }
  for (size_t i = 0; i < fleets.size(); ++i)
    row("7. scaling: supervisor cost per batched beat, " + grouped(fleets[i]) +
            " agents",
        "flat", grouped(costs[i]) + " ns (" + grouped(1e9 / costs[i]) + " beats/s)",
        "raw CAF message: " + grouped(1e9 / raw) + " ns",
        i == 0 ? "1.00" : ratio_text(costs[i] / costs[0]));
  return 0;
}
