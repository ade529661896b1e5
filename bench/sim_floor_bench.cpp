// The floor under vigil-sim's fleet day (issue 18, target 5): what CAF alone costs for
// the day's beats in virtual time. N bare actors are ticked every 10 s of virtual time
// for H hours by one ticker and each answers it (two messages per beat, as a pacer and
// its agents exchange them, without senders), on the test coordinator drained the way
// vigil-sim drains it. No supervisor, no record, no events: whatever vigil-sim takes
// beyond this is vigil's. A second run sends the ticks alone (nobody answers): the
// least any simulator pays in which every beat passes through the agent actor.
//
//   build/bench/sim_floor_bench [--agents 10000] [--hours 24]
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/stateful_actor.hpp>

#include "bench_support.hpp"
#include "drain.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

using tick_atom = caf::atom_constant<caf::atom("tick")>;

struct ticker_state {
  static inline const char* name = "bench.virtual_ticker";
  std::vector<caf::actor> actors;
  uint64_t answers = 0;
};

caf::behavior ticker(caf::stateful_actor<ticker_state>* self) {
  return {
      [self](std::vector<caf::actor>& xs) {
        self->state.actors = std::move(xs);
        self->delayed_send(self, std::chrono::seconds(10), tick_atom::value);
      },
      [self](tick_atom) {
        uint32_t i = 0;
        for (auto& a : self->state.actors)
          a->eq_impl(caf::make_message_id(), nullptr, self->context(), beat_atom::value,
                     i++, uint32_t{7});
        self->delayed_send(self, std::chrono::seconds(10), tick_atom::value);
      },
      [self](beat_atom, uint32_t, uint32_t, agent_state, uint64_t) {
        ++self->state.answers;
      },
  };
}

caf::behavior bare_agent(caf::event_based_actor* self, caf::actor ticker, bool answer) {
  return {[self, ticker, answer](beat_atom, uint32_t ticket, uint32_t token) {
    if (!answer)
      return;
    ticker->eq_impl(caf::make_message_id(), nullptr, self->context(), beat_atom::value,
                    ticket, token, agent_state::idle, uint64_t{1});
  }};
}

struct virtual_config : caf::actor_system_config {
  virtual_config() { set("scheduler.policy", caf::atom("testing")); }
};

struct floor_run {
  double seconds = 0;
  uint64_t answers = 0;
};

/// One virtual day (or `hours`) of ticks on a fresh actor system; `answer`: whether
/// the actors answer their ticks.
floor_run run(size_t agents, int hours, bool answer) {
  virtual_config cfg;
  caf::actor_system sys{cfg};
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  auto t = sys.spawn(ticker);
  std::vector<caf::actor> xs;
  for (size_t i = 0; i < agents; ++i)
    xs.push_back(sys.spawn(bare_agent, t, answer));
  caf::anon_send(t, std::move(xs));
  vigil::sim::drain(sched);
  auto until = sched.clock().now() + std::chrono::hours(hours);
  auto t0 = wall::now();
  auto& pending = sched.clock().schedule();
  while (!pending.empty() && pending.begin()->first <= until) {
    sched.advance_time(pending.begin()->first - sched.clock().now());
    vigil::sim::drain(sched);
  }
  floor_run out;
  out.seconds = seconds_since(t0);
  // Single-threaded and idle now: the ticker's count can be read in place.
  auto ptr = caf::actor_cast<caf::abstract_actor*>(t);
  out.answers = dynamic_cast<caf::stateful_actor<ticker_state>&>(*ptr).state.answers;
  progress("sim floor: %llu ticks answered by %zu bare actors over %d virtual hours in "
           "%.1f s%s",
           static_cast<unsigned long long>(out.answers), agents, hours, out.seconds,
           answer ? "" : " (ticks alone)");
  // The actors tick forever: stop them all before the system ends.
  caf::anon_send_exit(t, caf::exit_reason::user_shutdown);
  for (auto& x : xs)
    caf::anon_send_exit(x, caf::exit_reason::user_shutdown);
  vigil::sim::drain(sched);
  return out;
}

} // namespace

int main(int argc, char** argv) {
  size_t agents = 10000;
  int hours = 24;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--agents") == 0)
      agents = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--hours") == 0)
      hours = std::atoi(argv[i + 1]);
  }
  auto answered = run(agents, hours, true);
  auto alone = run(agents, hours, false);
  auto label = grouped(static_cast<double>(agents)) +
               " bare actors ticked every 10 s for " + std::to_string(hours) + " h";
  row("6. simulation floor: CAF alone, " + label, "reported",
      grouped(answered.seconds, 1) + " s for " +
          grouped(static_cast<double>(answered.answers)) + " tick/answer pairs",
      "ticks alone (nobody answers): " + grouped(alone.seconds, 1) + " s", "");
  std::fflush(stdout);
  _exit(0);
}
