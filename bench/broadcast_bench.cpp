// Broadcast (issue 9, target 5): transitions fanned out to 100 subscribers. The
// supervisor numbers each event once and sends it to every subscriber with the next
// flush; deliveries/s = events x subscribers / the time until the last subscriber
// has the last event. Beside it, in the same run, CAF alone: one actor sending each
// event to the 100 receivers as a message of its own.
//
//   build/bench/broadcast_bench [--events 100000] [--subscribers 100]
#include <atomic>
#include <thread>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "bench_support.hpp"
#include "vigil/messages/log.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

struct tally {
  std::atomic<uint64_t> events{0};
  std::atomic<size_t> done{0}; ///< Subscribers that have the last event.
};

struct subscriber_state {
  static inline const char* name = "bench.subscriber";
  std::shared_ptr<tally> t;
  uint64_t last = 0; ///< Done at this seq.
  bool done = false;
};

caf::behavior subscriber(caf::stateful_actor<subscriber_state>* self,
                         supervisor_actor sup, std::shared_ptr<tally> t) {
  self->state.t = std::move(t);
  return {
      [=](uint64_t last) { // go: subscribe, done at `last`
        self->state.last = last;
        self->request(sup, caf::infinite, subscription_request{}).then([](snapshot&) {
        });
      },
      [=](event_batch& b) {
        auto& st = self->state;
        st.t->events += b.events.size();
        if (b.events.empty())
          return;
        auto seq = b.events.back().seq;
        self->send(sup, ack_atom::value, seq);
        if (!st.done && seq >= st.last) {
          st.done = true;
          ++st.t->done;
        }
      },
      [](snapshot&) {},
  };
}

struct receiver_state {
  static inline const char* name = "bench.receiver";
  std::shared_ptr<tally> t;
  uint64_t last = 0;
};

// The reference's receiver: counts, and says when it has the last one.
caf::behavior receiver(caf::stateful_actor<receiver_state>* self,
                       std::shared_ptr<tally> t, uint64_t last) {
  self->state.t = std::move(t);
  self->state.last = last;
  return {[=](event& e) {
    ++self->state.t->events;
    if (e.seq == self->state.last)
      ++self->state.t->done;
  }};
}

void wait_for(const tally& t, size_t n) {
  auto give_up = wall::now() + 10min;
  while (t.done.load() < n && wall::now() < give_up)
    std::this_thread::sleep_for(1ms);
}

} // namespace

int main(int argc, char** argv) {
  size_t events = 100000;
  size_t subscribers = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--events") == 0)
      events = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--subscribers") == 0)
      subscribers = std::strtoull(argv[i + 1], nullptr, 10);
  }
  log()->set_level(spdlog::level::warn);
  bench_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  // The reference: every event a message to every receiver.
  double raw = 0;
  {
    auto t = std::make_shared<tally>();
    std::vector<caf::actor> rs;
    for (size_t i = 0; i < subscribers; ++i)
      rs.push_back(sys.spawn(receiver, t, uint64_t{events}));
    event e;
    e.agent = "agent-1";
    e.type = "worker";
    e.node = "bench";
    e.reason = "slot:work";
    auto t0 = wall::now();
    for (uint64_t s = 1; s <= events; ++s) {
      e.seq = s;
      for (auto& r : rs)
        self->send(r, e);
    }
    wait_for(*t, subscribers);
    raw = static_cast<double>(t->events.load()) / seconds_since(t0);
    for (auto& r : rs)
      self->send_exit(r, caf::exit_reason::user_shutdown);
  }
  progress("broadcast: raw CAF %.0f deliveries/s", raw);
  // The supervisor: transitions of 1,000 agents, idle <-> busy, as their owner
  // reports them.
  supervisor_settings sc;
  sc.heartbeat.timeout = 1h; // nothing but the reports
  sc.history = events + 10000;
  sc.subscriber_window = 65536;
  auto sup = *spawn_supervisor(sys, sc);
  auto ids = fleet_ids(1000);
  auto acks = register_owned(self, sup, ids);
  auto t = std::make_shared<tally>();
  auto first = stats(self, sup).last_seq; // registrations are events too
  auto last = first + events;
  std::vector<caf::actor> subs;
  for (size_t i = 0; i < subscribers; ++i)
    subs.push_back(sys.spawn(subscriber, sup, t));
  for (auto& s : subs)
    self->send(s, last);
  while (stats(self, sup).subscribers < subscribers)
    std::this_thread::sleep_for(1ms);
  auto before = t->events.load();
  auto t0 = wall::now();
  std::vector<uint64_t> version(ids.size(), 1);
  for (size_t k = 0; k < events; ++k) {
    auto i = k % ids.size();
    auto busy = (k / ids.size()) % 2 == 0;
    transition_report rep;
    rep.id = ids[i];
    rep.token = acks[i].token;
    rep.from = busy ? agent_state::idle : agent_state::busy;
    rep.to = busy ? agent_state::busy : agent_state::idle;
    rep.version = ++version[i];
    rep.reason = busy ? "slot:work" : "finished";
    self->send(sup, std::move(rep));
  }
  wait_for(*t, subscribers);
  auto secs = seconds_since(t0);
  auto delivered = static_cast<double>(t->events.load() - before);
  auto rate = delivered / secs;
  progress("broadcast: %.0f events to %zu subscribers in %.2f s: %.0f deliveries/s",
           static_cast<double>(events), subscribers, secs, rate);
  row("5. broadcast: " + grouped(static_cast<double>(events)) + " transitions to " +
          std::to_string(subscribers) + " subscribers",
      ">= 1,000,000 deliveries/s",
      (t->done.load() < subscribers ? "INCOMPLETE: " : "") + grouped(rate) +
          " deliveries/s",
      "raw CAF, one message per delivery: " + grouped(raw) + "/s",
      ratio_text(rate / raw));
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  for (auto& s : subs)
    self->send_exit(s, caf::exit_reason::user_shutdown);
  std::fflush(stdout);
  _exit(0);
}
