// A hung agent (`hang_atom`, vigil-sim's fault) in virtual time, against a real
// supervisor and pacer: the agent actor itself stops answering, so it goes offline at
// its deadline while a neighbour on the same pacer lives; a wake beats at once; an
// exit message, or the supervisor's kill, still ends it.
#include <chrono>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "agent_fixture.hpp"
#include "support/supervisor_fixture.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/actors/pacer.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class HungAgent : public vigil::test::supervisor_fixture {
public:
  HungAgent() {
    supervisor_settings cfg;
    cfg.heartbeat.interval = 10s;
    cfg.heartbeat.timeout = 30s;
    cfg.heartbeat.check_interval = 5s;
    cfg.heartbeat.max_missed = 1; // offline at last beat + timeout
    start(cfg);
    pacer_options opts;
    opts.granularity = duration::zero(); // exact phases: ticks every 10 s from t0
    pacer = track(*spawn_pacer(sys, sup, opts));
    sched.run();
  }

  agent_actor agent(const std::string& id) {
    agent_options opts{id, "worker", "n1"};
    opts.pacer = pacer;
    auto h = track(*spawn_agent(sys, sup, std::move(opts)));
    sched.run();
    return h;
  }

  template <class... Ts>
  void tell_async(const agent_actor& a, Ts... xs) {
    caf::anon_send(caf::actor_cast<caf::actor>(a), xs...);
    sched.run();
  }

  /// The times `id` went to `to`, by the events `c` received.
  std::vector<time_point> entered(const caf::actor& c, const std::string& id,
                                  agent_state to) {
    std::vector<time_point> result;
    for (auto& e : events_of(c))
      if (e.agent == id && e.kind == event_kind::transition && e.to == to)
        result.push_back(e.at);
    return result;
  }

  pacer_actor pacer;
};

} // namespace

TEST_F(HungAgent,
       AnswersNoTickAndGoesOfflineExactlyAtItsDeadlineWhileItsNeighbourLives) {
  auto c = collector();
  auto t0 = now();
  auto a1 = agent("a1");
  agent("a2");
  advance(10s); // both answer the tick at 10 s
  ASSERT_EQ(status("a1").last_beat, t0 + 10s);
  tell_async(a1, hang_atom::value);
  advance(20s); // ticks at 20 s and 30 s: a1 answers neither, a2 both
  EXPECT_EQ(status("a1").last_beat, t0 + 10s);
  // The pacer holds a2's beat `flush_after` (5 ms) for a1's answer: a wait it chose,
  // not lateness, so the node does not count as late.
  EXPECT_EQ(status("a2").last_beat, t0 + 20s + 5ms);
  // a1's deadline: its last beat (10 s) + timeout (30 s), exactly.
  advance(10s - 1ns);
  EXPECT_EQ(status("a1").state, s::idle);
  advance(1ns);
  EXPECT_EQ(entered(c, "a1", s::offline), std::vector<time_point>{t0 + 40s});
  advance(20s + 5ms);
  EXPECT_EQ(status("a2").state, s::idle);
  EXPECT_EQ(status("a2").last_beat, t0 + 60s + 5ms);
  EXPECT_TRUE(entered(c, "a2", s::offline).empty());
}

TEST_F(HungAgent, AloneOnItsPacerGoesOfflineExactlyAtLastBeatPlusTimeout) {
  auto c = collector();
  auto t0 = now();
  auto a1 = agent("a1");
  advance(10s);
  tell_async(a1, hang_atom::value);
  advance(30s - 1ns);
  EXPECT_EQ(status("a1").state, s::idle);
  advance(1ns);
  EXPECT_EQ(entered(c, "a1", s::offline), std::vector<time_point>{t0 + 40s});
}

TEST_F(HungAgent, AWakeBeatsAtOnceAndThePacerTicksItAgain) {
  auto c = collector();
  auto t0 = now();
  auto a1 = agent("a1");
  agent("a2");
  advance(10s);
  tell_async(a1, hang_atom::value);
  advance(35s); // offline at 40 s
  ASSERT_EQ(status("a1").state, s::offline);
  tell_async(a1, wake_atom::value);
  EXPECT_EQ(status("a1").last_beat, t0 + 45s); // at once, not at a tick
  EXPECT_EQ(status("a1").state, s::idle);
  EXPECT_EQ(entered(c, "a1", s::idle).back(), t0 + 45s);
  advance(10s); // the tick left waiting was answered: the pacer ticks it at 50 s
  EXPECT_GE(status("a1").last_beat, t0 + 50s);
  EXPECT_EQ(status("a1").state, s::idle);
}

TEST_F(HungAgent, KeepsItsMessagesWaitingUntilTheWakeThenTakesThemInOrder) {
  auto c = collector();
  auto a1 = agent("a1");
  auto w = track(sys.spawn(vigil::test::watcher, caf::actor_cast<caf::actor>(a1)));
  sched.run();
  tell_async(a1, hang_atom::value);
  tell_async(a1, hang_atom::value); // twice: still one hang, ended by one wake
  tell_async(a1, slot_atom::value, slot_kind::work, std::string{});
  tell_async(a1, complete_atom::value);
  advance(5s);
  EXPECT_EQ(status("a1").state, s::idle); // the slot waits
  EXPECT_FALSE(state_of<vigil::test::watcher_state>(w).down);
  tell_async(a1, wake_atom::value);
  EXPECT_TRUE(state_of<vigil::test::watcher_state>(w).down);
  EXPECT_EQ(status("a1").state, s::completed);
  EXPECT_EQ(entered(c, "a1", s::busy).size(), 1u); // the slot came first
}

TEST_F(HungAgent, StillEndsOnAnExitMessage) {
  auto a1 = agent("a1");
  auto w = track(sys.spawn(vigil::test::watcher, caf::actor_cast<caf::actor>(a1)));
  sched.run();
  tell_async(a1, hang_atom::value);
  caf::anon_send_exit(a1, caf::exit_reason::user_shutdown);
  sched.run();
  auto& seen = state_of<vigil::test::watcher_state>(w);
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(seen.reason, caf::exit_reason::user_shutdown);
}

TEST_F(HungAgent, StillEndsWhenTheSupervisorKillsIt) {
  auto a1 = agent("a1");
  auto w = track(sys.spawn(vigil::test::watcher, caf::actor_cast<caf::actor>(a1)));
  sched.run();
  tell_async(a1, hang_atom::value);
  caf::anon_send(sup, kill_atom::value, std::string{"a1"});
  sched.run();
  auto& seen = state_of<vigil::test::watcher_state>(w);
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(seen.reason, caf::exit_reason::user_shutdown);
  EXPECT_EQ(status("a1").state, s::killed);
}

TEST_F(HungAgent, WithoutAPacerSendsNoBeatOfItsOwnUntilTheWake) {
  auto t0 = now();
  agent_options opts{"a1", "worker", "n1"};
  auto a1 = track(*spawn_agent(sys, sup, std::move(opts)));
  sched.run();
  advance(10s);
  ASSERT_EQ(status("a1").last_beat, t0 + 10s);
  tell_async(a1, hang_atom::value);
  advance(25s);
  EXPECT_EQ(status("a1").last_beat, t0 + 10s);
  tell_async(a1, wake_atom::value);
  EXPECT_EQ(status("a1").last_beat, t0 + 35s);
  advance(10s); // its own timer goes on
  EXPECT_EQ(status("a1").last_beat, t0 + 45s);
}
