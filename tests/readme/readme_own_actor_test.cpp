// Runs the README's own-actor example (a user's actor as the supervised agent) in
// virtual time. The example's code is cut out of README.md at configure time into
// readme_own_actor.hpp (tests/readme/CMakeLists.txt).
#include "readme_own_actor.hpp"

#include <chrono>

#include "support/recording_supervisor.hpp"
#include "support/virtual_time.hpp"

using namespace std::chrono_literals;
using vigil::agent_state;

namespace {

class ReadmeOwnActor : public vigil::test::virtual_time {};

} // namespace

TEST_F(ReadmeOwnActor, TheBuilderRegistersBeatsAndReportsItsBuilds) {
  auto sup = track(vigil::test::spawn_recording_supervisor(sys));
  auto& seen = state_of<vigil::test::recording_supervisor_state>(sup);
  seen.interval = 10s;
  auto t0 = now();
  auto b = track(spawn_builder(sys, sup));
  sched.run();
  ASSERT_EQ(seen.registrations.size(), 1u);
  EXPECT_EQ(seen.registrations[0].id, "builder-1");
  EXPECT_FALSE(tell(b, std::string{"libfoo"}));
  EXPECT_TRUE(tell(b, std::string{"libbar"})); // busy: refused, nothing changes
  advance(3s - 1ns);
  EXPECT_EQ(ask<int>(b, caf::get_atom::value), 0);
  advance(1ns);
  EXPECT_EQ(ask<int>(b, caf::get_atom::value), 1);
  advance(30s);
  std::vector<agent_state> to;
  for (auto& r : seen.reports)
    to.push_back(r.to);
  EXPECT_EQ(to, (std::vector<agent_state>{agent_state::idle, agent_state::busy,
                                          agent_state::idle}));
  ASSERT_EQ(seen.activity.size(), 1u);
  ASSERT_EQ(seen.beats.size(), 3u); // its own mailbox beat at 10, 20 and 30 s
  EXPECT_EQ(seen.beats.back().first, t0 + 30s);
  EXPECT_EQ(seen.beats.back().second.id, "builder-1");
}
