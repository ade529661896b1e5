// A user's own actor attached as an agent, against a real supervisor in virtual time:
// its own mailbox answers the beats (its timer's, or its pacer's ticks), so it stays
// healthy while it answers, goes offline exactly at its deadline while its mailbox is
// stuck, comes back when it answers again, and ends when the actor dies.
#include <chrono>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "attached_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using namespace vigil::test;
using s = agent_state;

namespace {

class AttachedAgentLiveness : public attached_fixture {};

} // namespace

TEST_P(AttachedAgentLiveness, StaysHealthyOverManyIntervalsWhileItAnswers) {
  auto c = collector();
  auto t0 = now();
  auto u = user("u1");
  for (int i = 1; i <= 10; ++i) {
    advance(10s);
    auto st = status("u1");
    EXPECT_EQ(st.state, s::idle);
    EXPECT_TRUE(st.healthy);
    EXPECT_EQ(st.last_beat, t0 + i * 10s); // an answer to every beat, on time
    EXPECT_EQ(st.missed, 0u);
  }
  EXPECT_TRUE(entered(c, "u1", s::offline).empty());
  EXPECT_EQ(ask<int>(u, 4), 8); // its own work went on all along
}

TEST_P(AttachedAgentLiveness, AStuckMailboxGoesOfflineExactlyAtItsDeadline) {
  auto c = collector();
  auto t0 = now();
  auto u = user("u1");
  advance(15s); // the beat at 10 s answered
  send(u, caf::make_message(stall_atom::value));
  advance(25s - 1ns); // the beat at 20 s waits in the mailbox
  EXPECT_EQ(status("u1").state, s::idle);
  EXPECT_EQ(status("u1").last_beat, t0 + 10s);
  advance(1ns); // last beat + timeout
  EXPECT_EQ(entered(c, "u1", s::offline), std::vector<time_point>{t0 + 40s});
  EXPECT_FALSE(status("u1").healthy);
}

TEST_P(AttachedAgentLiveness, ComesBackWhenItAnswersAgain) {
  auto c = collector();
  auto t0 = now();
  auto u = user("u1");
  advance(15s);
  send(u, caf::make_message(stall_atom::value));
  advance(30s); // offline at 40 s
  ASSERT_EQ(status("u1").state, s::offline);
  send(u, caf::make_message(unstall_atom::value)); // the waiting beat is answered
  EXPECT_EQ(status("u1").state, s::idle);
  EXPECT_EQ(status("u1").last_beat, t0 + 45s);
  EXPECT_EQ(entered(c, "u1", s::idle).back(), t0 + 45s);
  advance(30s); // and beats on
  EXPECT_EQ(status("u1").state, s::idle);
  EXPECT_TRUE(status("u1").healthy);
  EXPECT_GE(status("u1").last_beat, t0 + 70s);
}

TEST_P(AttachedAgentLiveness, AStuckNeighbourDoesNotStopTheOthers) {
  auto c = collector();
  auto t0 = now();
  auto u1 = user("u1");
  user("u2");
  advance(15s);
  send(u1, caf::make_message(stall_atom::value));
  // On a pacer, u2's beat waits `flush_after` (5 ms) for u1's answer, which never
  // comes; alone, each beats on its own timer.
  auto held = paced() ? duration{5ms} : duration::zero();
  advance(45s + held);
  EXPECT_EQ(entered(c, "u1", s::offline), std::vector<time_point>{t0 + 40s});
  EXPECT_TRUE(entered(c, "u2", s::offline).empty());
  EXPECT_EQ(status("u2").state, s::idle);
  EXPECT_EQ(status("u2").last_beat, t0 + 60s + held);
}

TEST_P(AttachedAgentLiveness, AnExitMessageEndsItKilled) {
  auto u = user("u1");
  caf::anon_send_exit(u, caf::exit_reason::user_shutdown);
  sched.run();
  EXPECT_EQ(status("u1").state, s::killed);
}

TEST_P(AttachedAgentLiveness, TheSupervisorsKillEndsTheActor) {
  auto u = user("u1");
  caf::anon_send(sup, kill_atom::value, std::string{"u1"});
  sched.run();
  EXPECT_EQ(status("u1").state, s::killed);
  EXPECT_FALSE(ask<int>(u, 1)); // gone: the actor was the agent
}

TEST_P(AttachedAgentLiveness, ACrashEndsItFailedWithTheActorsReason) {
  auto u = user("u1");
  send(u, caf::make_message(throw_atom::value));
  auto st = status("u1");
  EXPECT_EQ(st.state, s::failed);
  EXPECT_EQ(st.reason, "crashed");
  // CAF 0.17 ends an actor that throws with `sec::runtime_error`, without the text.
  EXPECT_NE(st.last_error.find("runtime_error"), std::string::npos) << st.last_error;
}

TEST_P(AttachedAgentLiveness, ItsOwnEndIsReportedAsItsEnd) {
  auto u = user("u1");
  send(u, caf::make_message(slot_atom::value, slot_kind::work));
  EXPECT_EQ(status("u1").state, s::busy);
  send(u, caf::make_message(complete_atom::value));
  EXPECT_EQ(status("u1").state, s::completed);
  EXPECT_EQ(status("u1").reason, "completed");
}

INSTANTIATE_TEST_SUITE_P(OwnTimerAndPacer, AttachedAgentLiveness,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& x) {
                           return x.param ? std::string{"Paced"}
                                          : std::string{"OwnTimer"};
                         });
