// Heartbeat liveness in the supervisor actor (DESIGN §4, §5), in virtual time.
#include <chrono>

#include "support/supervisor_fixture.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SupervisorLiveness : public vigil::test::supervisor_fixture {
public:
  SupervisorLiveness() {
    supervisor_settings cfg;
    cfg.heartbeat.timeout = 30s;
    cfg.heartbeat.check_interval = 5s;
    cfg.heartbeat.max_missed = 3;
    start(cfg);
  }

  std::vector<uint32_t> missed_counts(const caf::actor& c) {
    std::vector<uint32_t> xs;
    for (auto& e : events_of(c))
      if (e.kind == event_kind::heartbeat_missed)
        xs.push_back(e.missed);
    return xs;
  }
};

} // namespace

TEST_F(SupervisorLiveness, OfflineExactlyAtTheLastDeadlineAfterCountedMisses) {
  auto c = collector();
  auto t0 = now();
  idle_agent("a1");
  advance(30s - 1ns);
  EXPECT_TRUE(missed_counts(c).empty());
  EXPECT_TRUE(status("a1").healthy);
  advance(1ns);
  EXPECT_EQ(missed_counts(c), (std::vector<uint32_t>{1}));
  EXPECT_EQ(status("a1").missed, 1u);
  EXPECT_FALSE(status("a1").healthy);
  advance(5s);
  EXPECT_EQ(missed_counts(c), (std::vector<uint32_t>{1, 2}));
  advance(5s - 1ns);
  EXPECT_EQ(status("a1").state, s::idle);
  advance(1ns);
  EXPECT_EQ(missed_counts(c), (std::vector<uint32_t>{1, 2, 3}));
  auto st = status("a1");
  EXPECT_EQ(st.state, s::offline);
  EXPECT_EQ(st.reason, "heartbeat_timeout");
  auto last = events_of(c).back();
  EXPECT_EQ(last.kind, event_kind::transition);
  EXPECT_EQ(last.to, s::offline);
  EXPECT_EQ(last.at, t0 + 40s); // last beat + timeout + 2 check intervals
}

TEST_F(SupervisorLiveness, MaxMissedOneIsThePlainTimeoutRule) {
  supervisor_settings cfg;
  cfg.heartbeat.timeout = 3s;
  cfg.heartbeat.max_missed = 1;
  start(cfg);
  idle_agent("a1");
  advance(3s - 1ns);
  EXPECT_EQ(status("a1").state, s::idle);
  advance(1ns);
  EXPECT_EQ(status("a1").state, s::offline);
}

TEST_F(SupervisorLiveness, BeatResetsTheCountAndMovesTheDeadline) {
  auto p = idle_agent("a1");
  advance(31s);
  EXPECT_EQ(status("a1").missed, 1u);
  beat(p, "a1", s::idle);
  EXPECT_EQ(status("a1").missed, 0u);
  EXPECT_TRUE(status("a1").healthy);
  advance(40s - 1ns);
  EXPECT_EQ(status("a1").state, s::idle);
  advance(1ns);
  EXPECT_EQ(status("a1").state, s::offline);
}

TEST_F(SupervisorLiveness, PauseStopsCountingAndResumeRestartsFromAFreshBeat) {
  auto c = collector();
  idle_agent("a1");
  advance(10s);
  ASSERT_FALSE(tell(sup, pause_atom::value, std::string{"a1"}));
  EXPECT_TRUE(status("a1").paused);
  advance(10h);
  EXPECT_EQ(status("a1").state, s::idle);
  EXPECT_TRUE(missed_counts(c).empty());
  ASSERT_FALSE(tell(sup, resume_atom::value, std::string{"a1"}));
  advance(30s - 1ns);
  EXPECT_TRUE(missed_counts(c).empty());
  advance(1ns);
  EXPECT_EQ(missed_counts(c), (std::vector<uint32_t>{1}));
  advance(10s);
  EXPECT_EQ(status("a1").state, s::offline);
}

TEST_F(SupervisorLiveness, BeatFromOfflineRestoresIdleBusyAndExhausted) {
  auto a = idle_agent("a");
  auto b = idle_agent("b");
  report(b, "b", s::idle, s::busy);
  auto e = idle_agent("e");
  auto t_exhausted = now();
  report(e, "e", s::idle, s::exhausted, duration{2h});
  advance(40s);
  for (auto id : {"a", "b", "e"})
    ASSERT_EQ(status(id).state, s::offline) << id;
  beat(a, "a", s::idle);
  beat(b, "b", s::busy);
  beat(e, "e", s::exhausted);
  EXPECT_EQ(status("a").state, s::idle);
  EXPECT_EQ(status("b").state, s::busy);
  auto ex = status("e");
  EXPECT_EQ(ex.state, s::exhausted);
  ASSERT_TRUE(ex.recovery_at);
  EXPECT_EQ(*ex.recovery_at, t_exhausted + 2h); // still ahead: stays exhausted
  EXPECT_EQ(status("a").reason, "heartbeat");
  // Watched again: silence makes it offline once more.
  advance(40s);
  EXPECT_EQ(status("a").state, s::offline);
}

TEST_F(SupervisorLiveness, OneClockEntryHoldsEveryAgentsLivenessDeadline) {
  // Agents registering at 100 different instants, then beating: the CAF clock holds
  // one entry (the earliest deadline), the queue one deadline per agent, none piled up.
  std::vector<caf::actor> ps;
  for (int i = 0; i < 100; ++i) {
    ps.push_back(idle_agent("a" + std::to_string(i)));
    advance(10ms);
  }
  EXPECT_EQ(pending_timers(), 1u);
  EXPECT_EQ(stats().liveness_timers, 100u);
  for (int round = 0; round < 20; ++round) {
    advance(1s);
    for (int i = 0; i < 100; ++i)
      caf::anon_send(ps[static_cast<size_t>(i)], beat_of("a" + std::to_string(i)));
    sched.run();
  }
  EXPECT_EQ(pending_timers(), 1u);
  EXPECT_EQ(stats().liveness_timers, 100u);
  advance(29s); // 30 s after the last beat: deadlines re-armed lazily, none piled up
  EXPECT_EQ(pending_timers(), 1u);
  EXPECT_EQ(stats().liveness_timers, 100u);
  EXPECT_EQ(status("a0").missed, 0u);
  EXPECT_EQ(status("a99").missed, 0u);
  advance(1s); // the last round's timeout: every agent missed one
  EXPECT_EQ(status("a0").missed, 1u);
  EXPECT_EQ(status("a99").missed, 1u);
}

TEST_F(SupervisorLiveness,
       LateDeadlineDoesNotOfflineAnAgentWhoseBeatWaitsInTheMailbox) {
  supervisor_settings cfg;
  cfg.heartbeat.timeout = 30s;
  cfg.heartbeat.check_interval = 5s;
  cfg.heartbeat.max_missed = 1;
  cfg.heartbeat.lag_grace = 2s;
  start(cfg);
  auto c = collector();
  auto p = idle_agent("a1");
  // The supervisor is starved: its 30 s deadline runs only at 40 s, and the agent's
  // beat (sent meanwhile) waits in its mailbox behind it.
  sched.advance_time(40s);
  caf::anon_send(p, beat_of("a1"));
  sched.run();
  EXPECT_EQ(status("a1").state, s::idle);
  advance(30s - 1ns); // past the grace check at 45 s, up to the new deadline
  EXPECT_EQ(status("a1").state, s::idle);
  for (auto& e : events_of(c))
    EXPECT_NE(e.to, s::offline) << "seq " << e.seq;
  advance(1ns); // 30 s after the beat that waited: now the silence is real
  EXPECT_EQ(status("a1").state, s::offline);
}

TEST_F(SupervisorLiveness, LateDeadlineStillOfflinesASilentAgentOneIntervalLater) {
  supervisor_settings cfg;
  cfg.heartbeat.timeout = 30s;
  cfg.heartbeat.check_interval = 5s;
  cfg.heartbeat.max_missed = 1;
  cfg.heartbeat.lag_grace = 2s;
  start(cfg);
  idle_agent("a1");
  auto t0 = now();
  sched.advance_time(40s); // 10 s late
  sched.run();
  EXPECT_EQ(status("a1").state, s::idle);
  advance(5s - 1ns);
  EXPECT_EQ(status("a1").state, s::idle);
  advance(1ns);
  EXPECT_EQ(status("a1").state, s::offline);
  EXPECT_EQ(now(), t0 + 45s);
}

TEST_F(SupervisorLiveness, BatchedBeatsWithTheLifesBeatSecretCountAsBeats) {
  auto pacer = puppet(); // any sender: the secret proves the beat, not the sender
  auto p1 = idle_agent("a1");
  auto p2 = idle_agent("a2");
  auto k1 = key_of(p1);
  auto k2 = key_of(p2);
  EXPECT_NE(k1, k2);
  auto t0 = now();
  for (int i = 0; i < 6; ++i) { // a minute of beats, none sent by the agents
    advance(10s);
    batch(pacer, {k1, k2});
  }
  EXPECT_EQ(status("a1").state, s::idle);
  EXPECT_EQ(status("a1").missed, 0u);
  EXPECT_EQ(status("a2").last_beat, t0 + 60s);
  advance(30s - 1ns);
  EXPECT_EQ(status("a1").missed, 0u);
  advance(1ns);
  EXPECT_EQ(status("a1").missed, 1u); // exactly a timeout after the last batch
}

TEST_F(SupervisorLiveness, BatchedBeatsWithAWrongSecretOrAStaleKeyAreRefused) {
  auto pacer = puppet();
  auto stranger = puppet();
  auto p1 = idle_agent("a1");
  auto k1 = key_of(p1);
  auto p2 = idle_agent("a2");
  auto k2 = key_of(p2);
  advance(20s);
  beat_batch forged; // right keys, guessed secrets; and keys that name no life
  forged.beats = {
      paced_beat{k1, ack_of("a1").beat_secret + 1, s::idle, 1},
      paced_beat{k2, 0, s::idle, 1}, paced_beat{k1 + 1000, 1, s::idle, 1},
      paced_beat{k1 ^ (uint64_t{1} << 32), ack_of("a1").beat_secret, s::idle, 1}};
  caf::anon_send(stranger, forged);
  caf::anon_send(pacer, forged);
  caf::anon_send(p1, forged); // not even from the agent itself
  sched.run();
  advance(10s);
  EXPECT_EQ(status("a1").missed, 1u); // none of those counted
  EXPECT_EQ(status("a2").missed, 1u);
  // A new life of a1 gets a new key and secret; the old ones are stale.
  report(p1, "a1", s::idle, s::completed);
  auto old_secret = secrets_[k1];
  auto p3 = idle_agent("a1");
  EXPECT_NE(ack_of("a1").beat_secret, old_secret);
  EXPECT_NE(key_of(p3), k1);
  advance(29s);
  batch(pacer, {k1});
  advance(1s);
  EXPECT_EQ(status("a1").missed, 1u);
}

TEST_F(SupervisorLiveness, ABatchedBeatBringsAnOfflineAgentBackInTheStateItReports) {
  auto pacer = puppet();
  auto p1 = idle_agent("a1");
  advance(40s);
  EXPECT_EQ(status("a1").state, s::offline);
  batch(pacer, {key_of(p1)}, s::busy);
  auto st = status("a1");
  EXPECT_EQ(st.state, s::busy);
  EXPECT_EQ(st.reason, "heartbeat");
  EXPECT_EQ(st.missed, 0u);
}

TEST_F(SupervisorLiveness,
       ALateSweepLeavesLaterDeadlinesBehindBeatsAlreadyInTheMailbox) {
  supervisor_settings cfg;
  cfg.heartbeat.timeout = 30s;
  cfg.heartbeat.check_interval = 5s;
  cfg.heartbeat.max_missed = 1;
  cfg.heartbeat.lag_grace = 2s;
  start(cfg);
  idle_agent("a1"); // deadline at 30 s
  advance(9s);
  auto p2 = idle_agent("a2"); // deadline at 39 s
  // The supervisor is starved from 30 s to 40 s: the queue's message (for 30 s) waits
  // in its mailbox, and a2's beat arrives behind it.
  sched.advance_time(21s);
  sched.advance_time(10s);
  caf::send_as(p2, sup, beat_of("a2"));
  sched.run();
  advance(1ns);
  // a2's deadline (39 s, 1 s late) is judged after the beat, not before it.
  EXPECT_EQ(status("a2").state, s::idle);
  EXPECT_EQ(status("a2").missed, 0u);
}

TEST_F(SupervisorLiveness, DeadlinesThatALateSweepLeftAreAllJudgedByItsOneNextMessage) {
  supervisor_settings cfg;
  cfg.heartbeat.timeout = 30s;
  cfg.heartbeat.check_interval = 5s;
  cfg.heartbeat.max_missed = 1;
  cfg.heartbeat.lag_grace = 60s; // late checks still judge
  start(cfg);
  idle_agent("a1"); // deadline at 30 s
  advance(1s);
  idle_agent("a2"); // 31 s
  advance(1s);
  idle_agent("a3"); // 32 s
  // Starved until 40 s: the message for 30 s comes late. It judges a1; a2 and a3,
  // due since, are judged by the one message it queues behind the mailbox, with no
  // more time passing (not one trip through the clock per deadline instant).
  sched.advance_time(38s);
  sched.run();
  for (auto id : {"a1", "a2", "a3"})
    EXPECT_EQ(status(id).state, s::offline) << id;
  EXPECT_EQ(stats().heartbeat_timeouts, 3u);
}
