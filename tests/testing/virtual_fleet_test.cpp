// vigil::testing::virtual_fleet, as a user's test would use it: a hung agent goes
// offline exactly at its deadline and comes back when woken; time moves timer by timer;
// events are collected in order.
#include <chrono>

#include <gtest/gtest.h>

#include "vigil/messages/errc.hpp"
#include "vigil/testing/virtual_fleet.hpp"

using namespace std::chrono_literals;
using vigil::agent_state;
using vigil::event_kind;

namespace {

vigil::supervisor_settings fast_beats() {
  vigil::supervisor_settings x;
  x.heartbeat.interval = 1s;
  x.heartbeat.timeout = 3s;
  x.heartbeat.check_interval = 1s;
  x.heartbeat.max_missed = 3; // offline at last beat + 3s + 2 * 1s
  return x;
}

class VirtualFleet : public ::testing::Test {
protected:
  vigil::testing::virtual_fleet fleet{fast_beats()};
};

TEST_F(VirtualFleet, AddedAgentIsIdleAndItsEventsAreCollected) {
  fleet.add_agent("coder-1", "coder");
  EXPECT_EQ(fleet.state_of("coder-1"), agent_state::idle);
  auto events = fleet.events_of("coder-1");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, event_kind::registered);
  EXPECT_EQ(events[1].to, agent_state::idle);
  EXPECT_EQ(events[1].seq, events[0].seq + 1);
}

TEST_F(VirtualFleet, HungAgentGoesOfflineExactlyAtItsDeadlineAndWakeBringsItBack) {
  fleet.add_agent("coder-1", "coder");
  auto registered = fleet.now(); // registration is the first beat
  fleet.hang("coder-1");
  fleet.advance(5s - 1ns);
  EXPECT_EQ(fleet.state_of("coder-1"), agent_state::idle);
  EXPECT_EQ(fleet.events_of(event_kind::heartbeat_missed).size(), 2u); // at 3s and 4s
  fleet.advance(1ns);
  EXPECT_EQ(fleet.state_of("coder-1"), agent_state::offline);
  auto offline = fleet.events_of(event_kind::transition).back();
  EXPECT_EQ(offline.to, agent_state::offline);
  EXPECT_EQ(offline.at, registered + 5s);
  fleet.wake("coder-1");
  EXPECT_EQ(fleet.state_of("coder-1"), agent_state::idle);
}

TEST_F(VirtualFleet, AnswersBeatsWhileNotHung) {
  fleet.add_agent("coder-1", "coder");
  fleet.advance(1min);
  EXPECT_EQ(fleet.state_of("coder-1"), agent_state::idle);
  EXPECT_TRUE(fleet.events_of(event_kind::heartbeat_missed).empty());
}

TEST_F(VirtualFleet, AdvanceToNextDeadlineMovesTimerByTimer) {
  fleet.add_agent("coder-1", "coder");
  auto start = fleet.now();
  auto moved = fleet.advance_to_next_deadline(); // the agent's first beat
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 1s);
  EXPECT_EQ(fleet.now(), start + 1s);
  fleet.hang("coder-1");
  // Timer by timer until the verdict: nothing is skipped, the clock stops at it.
  while (fleet.state_of("coder-1") != agent_state::offline)
    ASSERT_TRUE(fleet.advance_to_next_deadline());
  EXPECT_EQ(fleet.now(), start + 1s + 5s);
}

TEST_F(VirtualFleet, UnknownIdsAreNamed) {
  EXPECT_EQ(vigil::code_of(fleet.status("nobody").error()), vigil::errc::unknown_agent);
  EXPECT_THROW(fleet.state_of("nobody"), std::runtime_error);
  EXPECT_THROW(fleet.hang("nobody"), std::runtime_error);
}

TEST(VirtualFleetStart, SettingsThatMakeNoSenseThrowWithTheReason) {
  vigil::supervisor_settings bad;
  bad.heartbeat.interval = 0s;
  try {
    vigil::testing::virtual_fleet fleet{bad};
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("heartbeat.interval"), std::string::npos)
        << e.what();
  }
}

} // namespace
