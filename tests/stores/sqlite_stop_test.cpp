// A clean stop commits the last events: a supervisor with a SQLite store (its writer on
// a thread of its own, as in production) stopped by `fleet_scope` leaves a record whose
// last seq is the last event a subscriber saw, with every agent's end in it.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include "support/scratch_dir.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/supervisors/fleet_scope.hpp"
#include "vigil/supervisors/subscriber.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

struct config : caf::actor_system_config {
  config() { register_types(*this); }
};

TEST(SqliteStop, FleetScopeCommitsEveryEventBeforeItReturns) {
  vigil::test::scratch_dir scratch;
  supervisor_settings settings;
  settings.store.kind = store_kind::sqlite;
  settings.store.path = scratch / "fleet.db";
  settings.store.batch_interval = 1h; // nothing is committed unless the stop does it
  settings.store.batch_size = 1 << 20;
  std::mutex mtx;
  uint64_t last_seen = 0;
  {
    config cfg;
    caf::actor_system sys{cfg};
    fleet_scope fleet{sys};
    auto sup = fleet.add(spawn_supervisor(sys, settings));
    ASSERT_TRUE(sup) << sys.render(sup.error());
    fleet.add(spawn_subscriber(sys, *sup, subscription_filter{}, [&](const event& e) {
      std::lock_guard<std::mutex> guard{mtx};
      last_seen = e.seq;
    }));
    caf::scoped_actor self{sys};
    for (int i = 1; i <= 5; ++i) {
      auto a =
          fleet.add(spawn_agent(sys, *sup, agent_options{"a" + std::to_string(i)}));
      ASSERT_TRUE(a);
      for (int tries = 0; tries < 500; ++tries) { // bounded: until it is idle
        agent_state now = agent_state::spawning;
        self->request(*a, 1s, get_atom::value)
            .receive([&](agent_view& v) { now = v.state; }, [](caf::error&) {});
        if (now == agent_state::idle)
          break;
        self->receive(caf::after(10ms) >> [] {});
      }
    }
    ASSERT_EQ(fleet.stop(), caf::none);
  }
  auto store = open_store(settings.store);
  ASSERT_TRUE(store) << to_string(store.error());
  auto fleet = (*store)->load();
  ASSERT_TRUE(fleet) << to_string(fleet.error());
  std::lock_guard<std::mutex> guard{mtx};
  EXPECT_EQ(fleet->last_seq, last_seen);
  EXPECT_EQ(fleet->last_seq, 15u); // per agent: registered, idle, killed
  ASSERT_EQ(fleet->agents.size(), 5u);
  for (auto& a : fleet->agents) {
    EXPECT_EQ(a.state, agent_state::killed) << a.id;
    EXPECT_EQ(a.reason, "node_shutdown") << a.id;
  }
}

} // namespace
