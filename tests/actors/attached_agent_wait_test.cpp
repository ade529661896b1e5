// A user's own actor attached as an agent while it waits for a reply the usual CAF way
// (`become(keep_behavior, ...)` with a behaviour that lacks vigil's handlers), against
// a real supervisor in virtual time: vigil's messages wait under the default handler
// `attach_agent` installed instead of being dropped, so the agent goes offline exactly
// at its deadline while it waits, and beats, recovers and reports again once the
// handlers are back (its own timer and its pacer's ticks alike).
#include <chrono>

#include <caf/send.hpp>

#include "agent_fixture.hpp"
#include "attached_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using namespace vigil::test;

namespace {

class AttachedAgentWaiting : public attached_fixture {};

} // namespace

TEST_P(AttachedAgentWaiting, GoesOfflineAtItsDeadlineAndComesBackWithTheHandlers) {
  auto c = collector();
  auto t0 = now();
  auto u = user("u1");
  advance(15s); // the beat at 10 s answered
  send(u, caf::make_message(wait_atom::value));
  advance(25s - 1ns); // the beat at 20 s waits in the mailbox
  EXPECT_EQ(status("u1").state, s::idle);
  EXPECT_EQ(status("u1").last_beat, t0 + 10s);
  advance(1ns); // last beat + timeout
  EXPECT_EQ(entered(c, "u1", s::offline), std::vector<time_point>{t0 + 40s});
  advance(5s);
  send(u, caf::make_message(reply_atom::value)); // the handlers are back
  EXPECT_EQ(status("u1").state, s::idle);
  EXPECT_EQ(status("u1").last_beat, t0 + 45s); // the waiting beat, answered
  for (int i = 1; i <= 5; ++i) { // and it beats on: neither timer nor tick was lost
    advance(10s);
    EXPECT_EQ(status("u1").state, s::idle);
    EXPECT_TRUE(status("u1").healthy);
  }
  EXPECT_GE(status("u1").last_beat, t0 + 85s);
  EXPECT_EQ(entered(c, "u1", s::offline).size(), 1u);
  EXPECT_EQ(ask<int>(u, 4), 8); // its own work goes on
}

TEST_P(AttachedAgentWaiting, RecoversFromExhaustedOnceTheHandlersAreBack) {
  auto c = collector();
  auto t0 = now();
  auto u = user("u1");
  advance(15s);
  send(u, caf::make_message(quota_atom::value, quota_reason::rate_limit,
                            duration{5s})); // recovery due at 20 s
  ASSERT_EQ(status("u1").state, s::exhausted);
  send(u, caf::make_message(wait_atom::value));
  advance(10s); // the recovery waits in the mailbox with the beat
  EXPECT_EQ(status("u1").state, s::exhausted);
  send(u, caf::make_message(reply_atom::value));
  EXPECT_EQ(status("u1").state, s::idle);
  EXPECT_EQ(entered(c, "u1", s::idle).back(), t0 + 25s);
  advance(30s);
  EXPECT_EQ(status("u1").state, s::idle);
  EXPECT_TRUE(status("u1").healthy);
}

INSTANTIATE_TEST_SUITE_P(OwnTimerAndPacer, AttachedAgentWaiting,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& x) {
                           return x.param ? std::string{"Paced"}
                                          : std::string{"OwnTimer"};
                         });

namespace {

class AttachedAgentWaitingAlone : public Agent {};

} // namespace

TEST_F(AttachedAgentWaitingAlone, ActivityIsReportedAgainAfterTheWait) {
  agent_options opts{"u1"};
  opts.settings.activity_report_interval = 1s;
  auto u = track(sys.spawn(user_actor, sup, std::move(opts)));
  sched.run();
  ASSERT_FALSE(tell(u, slot_atom::value, slot_kind::work));
  auto t0 = now();
  caf::anon_send(u, activity_atom::value); // reported at once
  sched.run();
  advance(300ms);
  caf::anon_send(u, activity_atom::value); // folded into a report at t0 + 1 s
  caf::anon_send(u, wait_atom::value);     // ... whose timer comes while it waits
  sched.run();
  advance(2s);
  EXPECT_EQ(recorded().activity.size(), 1u);
  caf::anon_send(u, reply_atom::value);
  sched.run();
  auto& got = recorded().activity;
  ASSERT_EQ(got.size(), 2u); // the flush that waited
  EXPECT_EQ(got[1].first, t0 + 2300ms);
  advance(5s);
  caf::anon_send(u, activity_atom::value); // coalescing goes on as before
  sched.run();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].first, t0 + 7300ms);
}
