// A user's own actor attached as an agent (attached_agent.hpp), against a recording
// supervisor in virtual time: it registers as itself, beats by its own timer or to its
// pacer's ticks, reports the lifecycle its code calls, and ends with it.
#include "agent_fixture.hpp"
#include "user_actor.hpp"
#include "vigil/actors/pacer.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using namespace vigil::test;

namespace {

class AttachedAgent : public Agent {
public:
  caf::actor user(agent_options opts = agent_options{"u1", "coder"}) {
    auto u = track(sys.spawn(user_actor, sup, std::move(opts)));
    sched.run();
    return u;
  }

  watcher_state& watched(const caf::actor& u) {
    return state_of<watcher_state>(watch(caf::actor_cast<agent_actor>(u)));
  }
};

} // namespace

TEST_F(AttachedAgent, RegistersAsItselfGoesIdleAndGoesOnWithItsOwnWork) {
  auto u = user();
  ASSERT_EQ(recorded().registrations.size(), 1u);
  EXPECT_EQ(recorded().registrations[0].id, "u1");
  EXPECT_EQ(recorded().registrations[0].type, "coder");
  EXPECT_EQ(recorded().registrations[0].state, s::spawning);
  EXPECT_EQ(transitions(), (decltype(transitions()){{s::spawning, s::idle, 1}}));
  EXPECT_EQ(recorded().reports[0].token.lo, 1u); // the answer's token, {1, key}
  EXPECT_EQ(ask<int>(u, 21), 42);
  auto v = ask<agent_view>(u, get_atom::value);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->id, "u1");
  EXPECT_EQ(v->state, s::idle);
}

TEST_F(AttachedAgent, BeatsByItsOwnTimerAtTheIntervalTheAnswerNames) {
  recorded().interval = 2s;
  auto t0 = now();
  user();
  advance(7s);
  auto& beats = recorded().beats;
  ASSERT_EQ(beats.size(), 3u);
  for (size_t i = 0; i < beats.size(); ++i) {
    EXPECT_EQ(beats[i].first, t0 + static_cast<int>(i + 1) * 2s);
    EXPECT_EQ(beats[i].second.id, "u1");
    EXPECT_EQ(beats[i].second.secret, 1001u); // its life's beat secret
    EXPECT_EQ(beats[i].second.state, s::idle);
  }
}

TEST_F(AttachedAgent, WithAPacerAnswersItsTicksAndKeepsNoTimerOfItsOwn) {
  recorded().interval = 2s;
  pacer_options po;
  po.granularity = duration::zero();
  auto pacer = track(*spawn_pacer(sys, sup, po));
  sched.run();
  agent_options opts{"u1"};
  opts.pacer = pacer;
  auto t0 = now();
  user(opts);
  advance(7s);
  EXPECT_TRUE(recorded().beats.empty());
  auto& paced = recorded().paced;
  ASSERT_EQ(paced.size(), 3u);
  EXPECT_EQ(paced.back().first, t0 + 6s);
  EXPECT_EQ(paced.back().second.key, 1u);
  EXPECT_EQ(paced.back().second.secret, 1001u);
}

TEST_F(AttachedAgent, ReportsTheLifecycleItsCodeCalls) {
  auto u = user();
  EXPECT_FALSE(tell(u, slot_atom::value, slot_kind::work));
  EXPECT_TRUE(tell(u, slot_atom::value, slot_kind::on_call)); // busy already
  EXPECT_FALSE(tell(u, finish_atom::value));
  EXPECT_TRUE(tell(u, finish_atom::value)); // idle: nothing to finish
  EXPECT_FALSE(tell(u, slot_atom::value, slot_kind::on_call));
  EXPECT_FALSE(tell(u, finish_atom::value));
  EXPECT_EQ(transitions(), (decltype(transitions()){{s::spawning, s::idle, 1},
                                                    {s::idle, s::busy, 2},
                                                    {s::busy, s::idle, 3},
                                                    {s::idle, s::on_call, 4},
                                                    {s::on_call, s::idle, 5}}));
  EXPECT_EQ(recorded().reports[1].reason, "slot:work");
  EXPECT_EQ(recorded().reports[2].reason, "finished");
}

TEST_F(AttachedAgent, ExhaustedRecoversExactlyAtItsRetryAfter) {
  auto u = user();
  ASSERT_FALSE(tell(u, slot_atom::value, slot_kind::work));
  auto t0 = now();
  ASSERT_FALSE(tell(u, quota_atom::value, quota_reason::rate_limit, duration{30s}));
  EXPECT_TRUE(tell(u, quota_atom::value, quota_reason::rate_limit)); // exhausted
  auto& r = recorded().reports.back();
  EXPECT_EQ(r.to, s::exhausted);
  EXPECT_EQ(r.reason, "rate_limit");
  EXPECT_EQ(r.recovery_in, caf::optional<duration>{30s});
  EXPECT_EQ(ask<agent_view>(u, get_atom::value)->recovery_at,
            caf::optional<time_point>{t0 + 30s});
  advance(30s - 1ns);
  EXPECT_EQ(ask<agent_view>(u, get_atom::value)->state, s::exhausted);
  advance(1ns);
  EXPECT_EQ(ask<agent_view>(u, get_atom::value)->state, s::idle);
  EXPECT_EQ(recorded().reports.back().reason, "recovered");
}

TEST_F(AttachedAgent, ForwardsActivityAndChildReportsWhileWorking) {
  agent_options opts{"u1"};
  opts.settings.activity_report_interval = 1s;
  auto u = user(opts);
  child_report c;
  c.children = 3;
  caf::anon_send(u, activity_atom::value);
  caf::anon_send(u, c);
  sched.run();
  EXPECT_TRUE(recorded().activity.empty()); // idle: nobody watches
  EXPECT_TRUE(recorded().children.empty());
  ASSERT_FALSE(tell(u, slot_atom::value, slot_kind::work));
  auto t0 = now();
  caf::anon_send(u, activity_atom::value);
  caf::anon_send(u, c);
  sched.run();
  advance(300ms);
  caf::anon_send(u, activity_atom::value); // folded into one report at t0 + 1 s
  sched.run();
  advance(1s);
  auto& got = recorded().activity;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, t0);
  EXPECT_EQ(got[1].first, t0 + 1s);
  EXPECT_EQ(got[1].second.since, duration{700ms});
  ASSERT_EQ(recorded().children.size(), 1u);
  EXPECT_EQ(recorded().children[0].id, "u1");
  EXPECT_EQ(recorded().children[0].children, 3u);
}

TEST_F(AttachedAgent, CompleteEndsTheAgentAndTheActorNormally) {
  auto u = user();
  auto& seen = watched(u);
  EXPECT_FALSE(tell(u, complete_atom::value));
  ASSERT_TRUE(seen.down);
  EXPECT_FALSE(seen.reason) << sys.render(seen.reason);
  EXPECT_EQ(transitions().back(), std::make_tuple(s::idle, s::completed, uint64_t{2}));
}

TEST_F(AttachedAgent, FailEndsTheAgentAndTheActorWithAgentFailed) {
  auto u = user();
  auto& seen = watched(u);
  EXPECT_FALSE(tell(u, fail_atom::value, std::string{"disk full"}));
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(code_of(seen.reason), errc::agent_failed);
  EXPECT_EQ(recorded().reports.back().to, s::failed);
  EXPECT_EQ(recorded().reports.back().error, "disk full");
}

TEST_F(AttachedAgent, ARefusedRegistrationEndsTheActorFailed) {
  recorded().refuse_registrations =
      make_error(errc::duplicate_agent, std::string{"u1"});
  auto u = user();
  auto& seen = watched(u);
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(code_of(seen.reason), errc::agent_failed);
  EXPECT_TRUE(transitions().empty());
  EXPECT_EQ(pending_timers(), 0u); // it never started beating
}

TEST_F(AttachedAgent, AttachRefusesAWorkerAndAnEmptyId) {
  agent_options with_worker{"u1"};
  with_worker.worker = track(sys.spawn(worker));
  auto u1 = user(with_worker);
  EXPECT_EQ(code_of(watched(u1).reason), errc::bad_config);
  auto u2 = user(agent_options{});
  EXPECT_EQ(code_of(watched(u2).reason), errc::bad_config);
  EXPECT_TRUE(recorded().registrations.empty());
}

TEST_F(AttachedAgent, HandedANewSupervisorItRegistersThereWithItsStateAndVersion) {
  auto u = user();
  ASSERT_FALSE(tell(u, slot_atom::value, slot_kind::work));
  auto other = track(spawn_recording_supervisor(sys));
  sched.run();
  caf::scoped_actor uplink{sys}; // a local sender, as a node's uplink is
  uplink->send(u, supervisor_atom::value, other);
  sched.run();
  auto& seen = state_of<recording_supervisor_state>(other).registrations;
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].state, s::busy);
  EXPECT_EQ(seen[0].version, 2u);
  EXPECT_EQ(seen[0].token.lo, 1u); // the life it has
}

TEST(AttachedAgentHandle, ADefaultHandleNamesNoAgentAndRefusesEveryCall) {
  attached_agent a;
  EXPECT_FALSE(a);
  EXPECT_EQ(code_of(a.start()), errc::bad_config);
  EXPECT_EQ(code_of(a.complete()), errc::bad_config);
  EXPECT_EQ(a.state(), agent_state::spawning);
}
