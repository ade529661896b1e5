// The heartbeat pacer with real agents, in virtual time: one timer per phase, beats
// at exact instants, batches, and agents that are slow or gone.
#include "vigil/actors/pacer.hpp"

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>

#include "support/recording_supervisor.hpp"
#include "support/virtual_time.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::recording_supervisor_state;

namespace {

struct member_state {
  static inline const char* name = "vigil.test.pacer_member";
  std::vector<uint32_t> tickets; ///< Of the ticks it got (it never answers).
  std::vector<uint32_t> tokens;
};

// Joins a pacer like an agent, then never answers a tick: a stuck agent.
caf::behavior mute_member(caf::stateful_actor<member_state>* self, pacer_actor pacer,
                          duration interval) {
  self->send(pacer, pace_atom::value, uint64_t{999}, uint64_t{1999}, interval,
             no_pacer_slot);
  return {
      [self](beat_atom, uint32_t ticket, uint32_t token) {
        self->state.tickets.push_back(ticket);
        self->state.tokens.push_back(token);
      },
      [](pace_atom, const caf::actor_addr&) {}, // the pacer ended: nothing to do
      [](uint32_t) {},                          // the pacer's answer: our slot
  };
}

class Pacer : public vigil::test::virtual_time {
public:
  Pacer() {
    sup = track(vigil::test::spawn_recording_supervisor(sys));
    sched.run();
  }

  pacer_actor start(pacer_options opts = {}) {
    auto x = spawn_pacer(sys, sup, opts);
    EXPECT_TRUE(x) << sys.render(x.error());
    pacer = track(*x);
    sched.run();
    return pacer;
  }

  agent_actor agent(const std::string& id, duration interval = 10s) {
    agent_options opts{id};
    opts.settings.heartbeat_interval = interval;
    opts.pacer = pacer;
    auto x = spawn_agent(sys, sup, std::move(opts));
    EXPECT_TRUE(x) << sys.render(x.error());
    auto h = track(*x);
    sched.run();
    return h;
  }

  recording_supervisor_state& recorded() {
    return state_of<recording_supervisor_state>(sup);
  }

  /// Arrival times of the paced beats carrying `key`.
  std::vector<time_point> beats_of(uint64_t key) {
    std::vector<time_point> xs;
    for (auto& [t, b] : recorded().paced)
      if (b.key == key)
        xs.push_back(t);
    return xs;
  }

  agent_facing_supervisor sup;
  pacer_actor pacer;
};

pacer_options exact() {
  pacer_options opts;
  opts.granularity = duration::zero();
  return opts;
}

} // namespace

TEST_F(Pacer, AgentsOfOneInstantShareOneTimerAndOneBatchPerTick) {
  start(exact());
  auto t0 = now();
  for (int i = 1; i <= 50; ++i)
    agent("a" + std::to_string(i));
  // 50 agents, no timer of their own: the pacer's one tick is the only pending timer.
  EXPECT_EQ(pending_timers(), 1u);
  advance(30s);
  ASSERT_EQ(recorded().batches.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(recorded().batches[k].first, t0 + (k + 1) * 10s);
    EXPECT_EQ(recorded().batches[k].second, 50u);
  }
  // Each agent's key (from its registration answer), state and version, every 10 s.
  std::set<uint64_t> keys;
  for (auto& [t, b] : recorded().paced) {
    keys.insert(b.key);
    EXPECT_EQ(b.state, agent_state::idle);
    EXPECT_EQ(b.version, 1u); // spawning -> idle
  }
  EXPECT_EQ(keys.size(), 50u);
  EXPECT_EQ(beats_of(7), (std::vector<time_point>{t0 + 10s, t0 + 20s, t0 + 30s}));
  EXPECT_TRUE(recorded().beats.empty()); // nothing beat on its own
  // Each beat carries its life's beat secret (the recorder answers 1000 + key).
  for (auto& [t, b] : recorded().paced)
    EXPECT_EQ(b.secret, 1000 + b.key);
}

TEST_F(Pacer, ExactPhasesBeatEveryIntervalFromRegistration) {
  start(exact());
  auto t0 = now();
  agent("a1"); // key 1
  advance(3s);
  agent("a2"); // key 2
  advance(4s);
  agent("a3", 5s); // key 3, its own interval
  EXPECT_EQ(pending_timers(), 3u);
  advance(20s); // to t0 + 27 s
  EXPECT_EQ(beats_of(1), (std::vector<time_point>{t0 + 10s, t0 + 20s}));
  EXPECT_EQ(beats_of(2), (std::vector<time_point>{t0 + 13s, t0 + 23s}));
  EXPECT_EQ(beats_of(3),
            (std::vector<time_point>{t0 + 12s, t0 + 17s, t0 + 22s, t0 + 27s}));
}

TEST_F(Pacer, JoinsWithinTheGranularityShareAPhaseAndBeatEarlyNeverLate) {
  pacer_options opts;
  opts.granularity = 50ms;
  start(opts);
  std::vector<time_point> joined;
  for (int i = 1; i <= 4; ++i) {
    joined.push_back(now());
    agent("a" + std::to_string(i));
    advance(10ms);
  }
  // Joined over 30 ms: at most two phases on the 50 ms grid, not four timers.
  EXPECT_LE(pending_timers(), 2u);
  advance(10s);
  for (uint64_t key = 1; key <= 4; ++key) {
    auto xs = beats_of(key);
    ASSERT_FALSE(xs.empty()) << "key " << key;
    auto due = joined[key - 1] + 10s;
    EXPECT_LE(xs[0], due) << "key " << key;
    EXPECT_GT(xs[0], due - 50ms) << "key " << key;
  }
}

TEST_F(Pacer, ASilentMemberDoesNotHoldBackTheOthersLongerThanFlushAfter) {
  auto opts = exact();
  opts.flush_after = 5ms;
  start(opts);
  auto t0 = now();
  track(sys.spawn(mute_member, pacer, duration{10s}));
  sched.run();
  agent("a1");
  agent("a2");
  advance(11s);
  // The two answers wait for the mute member, but only flush_after long.
  ASSERT_EQ(recorded().batches.size(), 1u);
  EXPECT_EQ(recorded().batches[0].first, t0 + 10s + 5ms);
  EXPECT_EQ(recorded().batches[0].second, 2u);
}

TEST_F(Pacer, BatchesNeverExceedMaxBatch) {
  auto opts = exact();
  opts.max_batch = 4;
  start(opts);
  auto t0 = now();
  for (int i = 1; i <= 10; ++i)
    agent("a" + std::to_string(i));
  advance(10s);
  size_t total = 0;
  for (auto& [t, n] : recorded().batches) {
    EXPECT_LE(n, 4u);
    EXPECT_EQ(t, t0 + 10s); // the last, short batch too: everyone answered
    total += n;
  }
  EXPECT_EQ(total, 10u);
}

TEST_F(Pacer, AnAgentThatEndedIsForgottenAndTheOthersKeepBeating) {
  start(exact());
  auto t0 = now();
  auto a1 = agent("a1"); // key 1
  agent("a2");           // key 2
  advance(10s);
  EXPECT_EQ(tell(a1, complete_atom::value), caf::none);
  advance(20s);
  EXPECT_EQ(beats_of(1), (std::vector<time_point>{t0 + 10s}));
  EXPECT_EQ(beats_of(2), (std::vector<time_point>{t0 + 10s, t0 + 20s, t0 + 30s}));
  // Every answer came, so no batch waited for the one that ended.
  for (auto& [t, n] : recorded().batches)
    EXPECT_EQ((t - t0) % 10s, duration::zero());
}

TEST_F(Pacer, AnAgentRegisteredAgainKeepsItsPhaseAndIsTickedOnce) {
  start(exact());
  auto t0 = now();
  auto a1 = agent("a1"); // key 1
  advance(5s);
  // A reconnect: it registers again (key 2) and joins again naming its slot.
  caf::scoped_actor uplink{sys}; // a local sender, as a node's uplink is
  uplink->send(a1, supervisor_atom::value, sup);
  sched.run();
  advance(25s);
  ASSERT_EQ(recorded().batches.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(recorded().batches[k].first, t0 + (k + 1) * 10s); // the same phase
    EXPECT_EQ(recorded().batches[k].second, 1u);                // one member
  }
  EXPECT_EQ(beats_of(1), (std::vector<time_point>{}));
  EXPECT_EQ(beats_of(2), (std::vector<time_point>{t0 + 10s, t0 + 20s, t0 + 30s}));
}

TEST_F(Pacer, OnlyALocalNamedSenderRedirectsItsBeats) {
  start(exact());
  auto t0 = now();
  agent("a1");
  // An anonymous sender (a peer's forged message looks so) cannot take the beats.
  auto thief = track(vigil::test::spawn_recording_supervisor(sys));
  caf::anon_send(pacer, supervisor_atom::value, caf::actor_cast<beat_sink>(thief));
  sched.run();
  advance(10s);
  ASSERT_EQ(recorded().batches.size(), 1u);
  EXPECT_EQ(recorded().batches[0].first, t0 + 10s);
  EXPECT_TRUE(state_of<recording_supervisor_state>(thief).batches.empty());
  // The node's uplink (a local, named actor) can.
  caf::scoped_actor uplink{sys};
  uplink->send(pacer, supervisor_atom::value, caf::actor_cast<beat_sink>(thief));
  sched.run();
  advance(10s);
  EXPECT_EQ(recorded().batches.size(), 1u);
  EXPECT_EQ(state_of<recording_supervisor_state>(thief).batches.size(), 1u);
}

TEST_F(Pacer, ARegistrationThatRacesTheFirstJoinStillMakesOneMember) {
  start(exact());
  auto t0 = now();
  auto* pacer_job =
      dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(pacer));
  auto all_but_the_pacer = [&] {
    sched.run_jobs_filtered([&](caf::resumable* job) { return job != pacer_job; });
  };
  agent_options opts{"a1"};
  opts.settings.heartbeat_interval = 10s;
  opts.pacer = pacer;
  auto a1 = track(*spawn_agent(sys, sup, std::move(opts)));
  all_but_the_pacer(); // registered (key 1); its first join waits at the pacer
  caf::scoped_actor uplink{sys}; // a local sender, as a node's uplink is
  uplink->send(a1, supervisor_atom::value, sup);
  all_but_the_pacer(); // registered again (key 2) before the first join was answered
  sched.run();         // the first join's answer, then a second join naming its slot
  advance(30s);
  ASSERT_EQ(recorded().batches.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(recorded().batches[k].first, t0 + (k + 1) * 10s);
    EXPECT_EQ(recorded().batches[k].second, 1u); // one member, not one per join
  }
  EXPECT_EQ(beats_of(2), (std::vector<time_point>{t0 + 10s, t0 + 20s, t0 + 30s}));
}

TEST_F(Pacer, AJoinerThatCannotTakeTheAnswerDoesNotEndThePacer) {
  start(exact());
  // Joins with a plain send and has no handler for the slot it is answered with: its
  // "unexpected message" error comes back to the pacer, which must live on.
  auto rude = track(sys.spawn(
      [](caf::event_based_actor* self, pacer_actor p) {
        self->send(p, pace_atom::value, uint64_t{5}, uint64_t{6}, duration{10s},
                   no_pacer_slot);
        return caf::behavior{[](beat_atom, uint32_t, uint32_t) {
        }};
      },
      pacer));
  sched.run();
  auto t0 = now();
  EXPECT_FALSE(caf::actor_cast<caf::abstract_actor*>(pacer)->getf(
      caf::abstract_actor::is_terminated_flag));
  agent("a1");
  advance(10s + 5ms);
  ASSERT_EQ(recorded().batches.size(), 1u);
  EXPECT_EQ(recorded().batches[0].first, t0 + 10s + 5ms); // waited for the rude one
  static_cast<void>(rude);
}

TEST_F(Pacer, BadOptionsAreRefused) {
  auto refused = [&](pacer_options opts, beat_sink up) {
    auto x = spawn_pacer(sys, std::move(up), opts);
    EXPECT_FALSE(x);
    return x ? std::string{} : sys.render(x.error());
  };
  EXPECT_NE(refused({}, beat_sink{}).find("has no upstream"), std::string::npos);
  pacer_options o;
  o.granularity = -1ms;
  EXPECT_NE(refused(o, sup).find("granularity"), std::string::npos);
  o = {};
  o.max_batch = 0;
  EXPECT_NE(refused(o, sup).find("max_batch"), std::string::npos);
  o = {};
  o.flush_after = 0ms;
  EXPECT_NE(refused(o, sup).find("flush_after"), std::string::npos);
}

TEST_F(Pacer, AStuckMemberIsNotTickedAgainAndItsEndReleasesTheBatches) {
  start(exact());
  auto t0 = now();
  auto mute = track(sys.spawn(mute_member, pacer, duration{10s}));
  sched.run();
  agent("a1");
  advance(30s + 5ms);
  // One tick, never answered: no second or third one piled up in its mailbox.
  EXPECT_EQ(state_of<member_state>(mute).tickets.size(), 1u);
  ASSERT_EQ(recorded().batches.size(), 3u);
  EXPECT_EQ(recorded().batches[2].first, t0 + 30s + 5ms); // waited for the mute one
  caf::anon_send_exit(mute, caf::exit_reason::kill);
  sched.run();
  advance(10s - 5ms);
  // Its end released what it owed: the next batch leaves at the tick itself.
  ASSERT_EQ(recorded().batches.size(), 4u);
  EXPECT_EQ(recorded().batches[3].first, t0 + 40s);
}

TEST_F(Pacer, OnlyTheAnswerWithTheTicksTokenCounts) {
  start(exact());
  auto mute = track(sys.spawn(mute_member, pacer, duration{10s}));
  sched.run();
  advance(10s);
  ASSERT_EQ(state_of<member_state>(mute).tickets.size(), 1u);
  auto ticket = state_of<member_state>(mute).tickets[0];
  auto token = state_of<member_state>(mute).tokens[0];
  // Someone who saw the ticket but not the tick answers in its name: nothing goes to
  // the supervisor. (Answers are no part of the pacer's public handle: sent untyped,
  // as agents do.)
  auto untyped = caf::actor_cast<caf::actor>(pacer);
  caf::anon_send(untyped, beat_atom::value, ticket, token ^ 1u, agent_state::busy,
                 uint64_t{5});
  caf::anon_send(untyped, beat_atom::value, ticket, uint32_t{0}, agent_state::busy,
                 uint64_t{5});
  advance(1s);
  EXPECT_TRUE(recorded().paced.empty());
  // The tick's own token counts, once.
  caf::anon_send(untyped, beat_atom::value, ticket, token, agent_state::busy,
                 uint64_t{5});
  caf::anon_send(untyped, beat_atom::value, ticket, token, agent_state::busy,
                 uint64_t{6});
  advance(1s);
  ASSERT_EQ(recorded().paced.size(), 1u);
  EXPECT_EQ(recorded().paced[0].second.key, 999u);
  EXPECT_EQ(recorded().paced[0].second.version, 5u);
}

TEST_F(Pacer, AgentsBeatByThemselvesWhenTheirPacerIsGone) {
  start(exact());
  auto t0 = now();
  agent("a1");
  advance(10s);
  EXPECT_EQ(recorded().paced.size(), 1u);
  caf::anon_send_exit(pacer, caf::exit_reason::kill);
  sched.run();
  advance(20s);
  std::vector<time_point> own;
  for (auto& [t, b] : recorded().beats)
    own.push_back(t);
  EXPECT_EQ(own, (std::vector<time_point>{t0 + 20s, t0 + 30s}));
}

TEST_F(Pacer, AnAgentWhosePacerIsGoneBeforeItJoinsBeatsByItself) {
  start(exact());
  caf::anon_send_exit(pacer, caf::exit_reason::kill);
  sched.run();
  auto t0 = now();
  agent("a1");
  advance(20s);
  std::vector<time_point> own;
  for (auto& [t, b] : recorded().beats)
    own.push_back(t);
  EXPECT_EQ(own, (std::vector<time_point>{t0 + 10s, t0 + 20s}));
  EXPECT_TRUE(recorded().paced.empty());
}

// Local health (DESIGN §14): every batch says how late the node's beats run.

TEST_F(Pacer, BatchesSayHowLateTheTickRanForOneToTwoWindows) {
  auto opts = exact();
  opts.lateness_window = 20s;
  start(opts);
  agent("a1");
  agent("a2");
  advance(10s); // on time
  ASSERT_EQ(recorded().lateness.size(), 1u);
  EXPECT_EQ(recorded().lateness[0], 0s);
  advance(10s - 1ns);
  sched.advance_time(3s + 1ns); // the tick due at 20 s runs at 23 s
  sched.run();
  ASSERT_EQ(recorded().lateness.size(), 2u);
  EXPECT_EQ(recorded().lateness[1], 3s);
  advance(7s); // on time again (30 s), but the figure holds
  ASSERT_EQ(recorded().lateness.size(), 3u);
  EXPECT_EQ(recorded().lateness[2], 3s);
  advance(60s); // two windows later it is forgotten
  EXPECT_EQ(recorded().lateness.back(), 0s);
}

TEST_F(Pacer, AnswersThatComeLateAreLateness) {
  start(exact());
  agent("a1");
  advance(10s - 1ns);
  sched.advance_time(1ns); // the tick is due and runs on time...
  ASSERT_TRUE(sched.prioritize(pacer));
  sched.run_once();
  sched.advance_time(1500ms); // ...and the agent answers 1.5 s later
  sched.run();
  ASSERT_EQ(recorded().lateness.size(), 1u);
  EXPECT_EQ(recorded().lateness[0], 1500ms);
}

TEST_F(Pacer, AMemberThatNeverAnswersMakesNobodyLate) {
  start(exact());
  auto mute = track(sys.spawn(mute_member, pacer, duration{10s}));
  sched.run();
  agent("a1");
  advance(60s);
  EXPECT_EQ(state_of<member_state>(mute).tickets.size(), 1u); // ticked once, silent
  ASSERT_EQ(recorded().lateness.size(), 5u); // the 60 s tick's goes at 60.005 s
  // Each batch waits `flush_after` for the mute member's answer, then goes: a wait
  // the pacer chose, not lateness; the answer that never came adds nothing either.
  for (auto x : recorded().lateness)
    EXPECT_EQ(x, 0ms);
}

TEST_F(Pacer, RefusesANonPositiveLatenessWindow) {
  pacer_options opts;
  opts.lateness_window = 0s;
  auto x = spawn_pacer(sys, sup, opts);
  ASSERT_FALSE(x);
  EXPECT_NE(sys.render(x.error()).find("lateness_window"), std::string::npos)
      << sys.render(x.error());
}
