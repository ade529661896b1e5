// Runs the README's user-work example in virtual time. The example's code is cut out of
// README.md at configure time into readme_user_work.hpp (tests/readme/CMakeLists.txt).
#include "readme_user_work.hpp"

#include <chrono>

#include "support/recording_supervisor.hpp"
#include "support/virtual_time.hpp"

using namespace std::chrono_literals;
using vigil::agent_state;

namespace {

class ReadmeExample : public vigil::test::virtual_time {};

} // namespace

TEST_F(ReadmeExample, WorkerFinishesSlotsAndReportsQuotaWithoutBlocking) {
  auto sup = track(vigil::test::spawn_recording_supervisor(sys));
  auto agent = spawn_coder(sys, sup);
  ASSERT_TRUE(agent) << sys.render(agent.error());
  track(*agent);
  sched.run();
  ASSERT_EQ(ask<vigil::slot_outcome>(*agent, vigil::slot_atom::value,
                                     vigil::slot_kind::work,
                                     std::string{"write tests"}),
            vigil::slot_outcome::started);
  ASSERT_EQ(ask<vigil::slot_outcome>(*agent, vigil::slot_atom::value,
                                     vigil::slot_kind::work,
                                     std::string{"call the rate-limited API"}),
            vigil::slot_outcome::queued);
  advance(2s - 1ns);
  EXPECT_EQ(ask<vigil::agent_view>(*agent, vigil::get_atom::value)->state,
            agent_state::busy);
  advance(1ns); // first tool run done: idle, then the queued slot at once
  EXPECT_EQ(ask<vigil::agent_view>(*agent, vigil::get_atom::value)->state,
            agent_state::busy);
  advance(2s); // second run hits the rate limit
  auto v = ask<vigil::agent_view>(*agent, vigil::get_atom::value);
  EXPECT_EQ(v->state, agent_state::exhausted);
  advance(30s);
  EXPECT_EQ(ask<vigil::agent_view>(*agent, vigil::get_atom::value)->state,
            agent_state::idle);
  std::vector<agent_state> seen;
  for (auto& r : state_of<vigil::test::recording_supervisor_state>(sup).reports)
    seen.push_back(r.to);
  EXPECT_EQ(seen, (std::vector<agent_state>{
                      agent_state::idle, agent_state::busy, agent_state::idle,
                      agent_state::busy, agent_state::exhausted, agent_state::idle}));
}
