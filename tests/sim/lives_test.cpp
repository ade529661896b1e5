// The lives of a simulation (lives.hpp): a spawner's request makes a new current life
// of an id on the spawner's node, which later timeline entries act on.
#include "lives.hpp"

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "drain.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/messages/register_types.hpp"

using namespace vigil;
using namespace vigil::sim;

namespace {

struct virtual_config : caf::actor_system_config {
  virtual_config() {
    set("scheduler.policy", caf::atom("testing"));
    register_types(*this);
  }
};

scenario two_nodes() {
  scenario s;
  s.agents = {{"a1", "coder", "n1"}, {"b1", "coder", "n2"}};
  s.until = std::chrono::hours(1);
  return s;
}

class SimLives : public ::testing::Test {
protected:
  SimLives() {
    log()->set_level(spdlog::level::off); // the refused offers (no restart engine yet)
    sup = *spawn_supervisor(sys, s.config.supervisor,
                            {false, store_time_base::clock_epoch, {}});
    all.bind(sys, sup);
  }

  ~SimLives() override {
    all.kill_all();
    caf::anon_send_exit(sup, caf::exit_reason::kill);
    drain(sched());
    all.release();
  }

  caf::scheduler::test_coordinator& sched() {
    return dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  }

  scenario s = two_nodes();
  lives all{s}; // before the system, as in the runner
  virtual_config cfg;
  caf::actor_system sys{cfg};
  supervisor_actor sup;
};

} // namespace

TEST_F(SimLives, ASpawnRequestMakesANewCurrentLifeOfTheId) {
  all.spawn(0);
  all.spawn(1);
  drain(sched());
  auto first = all.current(0);
  auto other = all.current(1);
  ASSERT_TRUE(first.agent);
  ASSERT_TRUE(first.shim);
  EXPECT_FALSE(other.agent == first.agent);
  caf::anon_send_exit(first.agent, caf::exit_reason::user_shutdown);
  drain(sched());
  all.restart(spawn_request{"a1", "coder", 3, 1, "crashed"}, "n2");
  drain(sched());
  auto second = all.current(0);
  ASSERT_TRUE(second.agent);
  EXPECT_FALSE(second.agent == first.agent); // timeline entries now act on this one
  EXPECT_FALSE(second.shim == first.shim);
  EXPECT_TRUE(all.current(1).agent == other.agent); // b1 untouched
}

TEST_F(SimLives, AnUndeclaredIdOrTypeAndRequestsAfterTheEndAreIgnored) {
  all.spawn(0);
  drain(sched());
  auto first = all.current(0);
  all.restart(spawn_request{"ghost", "coder", 1, 1, "crashed"}, "n1");
  all.restart(spawn_request{"a1", "tester", 2, 1, "crashed"}, "n1"); // not its type
  drain(sched());
  EXPECT_TRUE(all.current(0).agent == first.agent);
  EXPECT_FALSE(all.current(1).agent); // never spawned
  all.kill_all();
  all.restart(spawn_request{"a1", "coder", 2, 1, "crashed"}, "n1");
  EXPECT_TRUE(all.current(0).agent == first.agent);
}
