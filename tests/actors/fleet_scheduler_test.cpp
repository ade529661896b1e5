// vigil's fleet scheduler on real threads: every message is delivered, in order per
// sender, both workers take work, timers and other threads reach actors, and the
// system stops with work still queued. Real time, so every wait is bounded.
#include "vigil/actors/fleet_scheduler.hpp"

#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace {

using hop_atom = caf::atom_constant<caf::atom("hop")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

struct fleet_config : caf::actor_system_config {
  explicit fleet_config(int throughput = 300) {
    set("scheduler.max-threads", 2);
    set("scheduler.max-throughput", throughput);
    vigil::use_fleet_scheduler(*this);
  }
};

/// Thread ids seen by the actors of one test.
struct seen_threads {
  std::mutex mtx;
  std::set<std::thread::id> ids;
  void add() {
    std::lock_guard<std::mutex> guard{mtx};
    ids.insert(std::this_thread::get_id());
  }
};

// Passes a token on around a ring; the last hop reports to `sink`.
caf::behavior ring_member(caf::event_based_actor* self, seen_threads* seen) {
  return {
      [self, seen](hop_atom, int left, std::vector<caf::actor>& ring, size_t at,
                   caf::actor& sink) {
        seen->add();
        if (left == 0) {
          self->send(sink, done_atom::value);
          return;
        }
        auto next = (at + 1) % ring.size();
        self->send(ring[next], hop_atom::value, left - 1, std::move(ring), next,
                   std::move(sink));
      },
  };
}

/// Answers each message with the number it saw before it, to check order.
struct counter_state {
  int last = -1;
  bool in_order = true;
};

caf::behavior counter(caf::stateful_actor<counter_state>* self) {
  return {
      [self](int x) {
        auto& st = self->state;
        st.in_order = st.in_order && x == st.last + 1;
        st.last = x;
      },
      [self](caf::get_atom) -> caf::result<int, bool> {
        return {self->state.last, self->state.in_order};
      },
  };
}

/// Receives `n` done messages within `limit`; returns how many came.
int await_done(caf::scoped_actor& self, int n, std::chrono::seconds limit) {
  int got = 0;
  auto until = std::chrono::steady_clock::now() + limit;
  while (got < n && std::chrono::steady_clock::now() < until)
    self->receive([&](done_atom) { ++got; }, caf::after(1s) >> [] {});
  return got;
}

} // namespace

TEST(FleetScheduler, ManyRingsDeliverEveryHopOnBothWorkers) {
  fleet_config cfg;
  caf::actor_system sys{cfg};
  seen_threads seen;
  caf::scoped_actor self{sys};
  constexpr int rings = 50;
  constexpr int hops = 20000;
  for (int r = 0; r < rings; ++r) {
    std::vector<caf::actor> ring;
    for (int i = 0; i < 100; ++i)
      ring.push_back(sys.spawn(ring_member, &seen));
    auto first = ring.front();
    self->send(first, hop_atom::value, hops, std::move(ring), size_t{0},
               caf::actor{self});
  }
  EXPECT_EQ(await_done(self, rings, 60s), rings);
  // 50 independent chains: the worker that woke them shares with the one that slept.
  EXPECT_EQ(seen.ids.size(), 2u);
}

TEST(FleetScheduler, MessagesFromOneSenderArriveInOrder) {
  fleet_config cfg{1}; // an actor yields after every message: most re-queueing
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::vector<caf::actor> counters;
  for (int i = 0; i < 100; ++i)
    counters.push_back(sys.spawn(counter));
  for (int x = 0; x < 1000; ++x)
    for (auto& c : counters)
      self->send(c, x);
  for (auto& c : counters)
    self->request(c, 30s, caf::get_atom::value)
        .receive(
            [](int last, bool in_order) {
              EXPECT_EQ(last, 999);
              EXPECT_TRUE(in_order);
            },
            [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
}

TEST(FleetScheduler, DelayedMessagesComeFromTheClockThread) {
  fleet_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto echo = sys.spawn([](caf::event_based_actor* me) -> caf::behavior {
    return {[me](done_atom, caf::actor& to) {
      me->delayed_send(to, 10ms, done_atom::value);
    }};
  });
  for (int i = 0; i < 20; ++i)
    self->send(echo, done_atom::value, caf::actor{self});
  EXPECT_EQ(await_done(self, 20, 30s), 20);
}

TEST(FleetScheduler, StopsWithWorkStillQueued) {
  std::vector<caf::actor> spinners;
  {
    fleet_config cfg;
    caf::actor_system sys{cfg};
    for (int i = 0; i < 200; ++i)
      spinners.push_back(sys.spawn([](caf::event_based_actor* me) -> caf::behavior {
        me->send(me, hop_atom::value);
        return {[me](hop_atom) {
          me->send(me, hop_atom::value);
        }};
      }));
    for (auto& s : spinners)
      caf::anon_send_exit(s, caf::exit_reason::kill);
    spinners.clear();
  } // the destructor waits for every actor and stops both workers: no hang
  SUCCEED();
}

TEST(FleetScheduler, ThroughputIsFiniteUnlessTheConfigSaysOtherwise) {
  // Unset: the default, so an actor that never empties its mailbox still yields.
  caf::actor_system_config plain;
  plain.set("scheduler.max-threads", 2);
  vigil::use_fleet_scheduler(plain);
  caf::actor_system a{plain};
  EXPECT_EQ(a.scheduler().max_throughput(), vigil::default_max_throughput);
  fleet_config chosen{7};
  caf::actor_system b{chosen};
  EXPECT_EQ(b.scheduler().max_throughput(), 7u);
}

TEST(FleetScheduler, AnActorThatNeverEmptiesItsMailboxDoesNotStarveTheOthers) {
  caf::actor_system_config cfg;        // max-throughput left unset
  cfg.set("scheduler.max-threads", 1); // one worker: nobody else to take the jobs
  vigil::use_fleet_scheduler(cfg);
  caf::actor_system sys{cfg};
  auto spinner = sys.spawn([](caf::event_based_actor* me) -> caf::behavior {
    me->send(me, hop_atom::value);
    return {[me](hop_atom) {
      me->send(me, hop_atom::value);
    }};
  });
  caf::scoped_actor self{sys};
  auto echo = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](done_atom, caf::actor& to) {
      caf::anon_send(to, done_atom::value);
    }};
  });
  self->send(echo, done_atom::value, caf::actor{self});
  EXPECT_EQ(await_done(self, 1, 30s), 1);
  caf::anon_send_exit(spinner, caf::exit_reason::kill);
}
