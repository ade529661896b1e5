// Virtual-time fixture for restart tests: a supervisor whose agents are real
// (`spawn_agent`), and test spawners that start their new lives.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/message.hpp>
#include <caf/message_id.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include "support/supervisor_fixture.hpp"
#include "support/test_spawner.hpp"

namespace vigil::test {

class restart_fixture : public supervisor_fixture {
public:
  restart_fixture() {
    using namespace std::chrono_literals;
    cfg.heartbeat.interval = 1s;
    cfg.heartbeat.timeout = 5s;
    cfg.heartbeat.check_interval = 1s;
    cfg.heartbeat.max_missed = 1;
    cfg.retention = 1h;
    cfg.restart.policy = restart_mode::permanent;
    cfg.restart.backoff = restart_backoff{1s, 1min, 2.0, 0.0};
    cfg.restart.reset_after = std::nullopt;
    options.restart_seed = 1;
  }

  /// A spawner on `node` for `types`, offered to the supervisor.
  caf::actor spawner(const std::string& node,
                     std::vector<std::string> types = {"worker"}, bool inert = false) {
    auto s = track(spawn_test_spawner(sys, sup, node, std::move(types), inert));
    sched.run();
    return s;
  }

  test_spawner_state& spawned(const caf::actor& s) {
    return state_of<test_spawner_state>(s);
  }

  /// A real agent, registered and idle.
  agent_actor agent(const std::string& id, const std::string& type = "worker",
                    const std::string& node = "n1") {
    auto x = spawn_agent(sys, sup, agent_options{id, type, node});
    EXPECT_TRUE(x);
    auto a = track(*x);
    sched.run();
    return a;
  }

  /// Sends `a` an exit message with `reason` (no sender).
  void exit_with(const agent_actor& a, caf::error reason) {
    auto h = caf::actor_cast<caf::actor>(a);
    h->enqueue(nullptr, caf::make_message_id(),
               caf::make_message(caf::exit_msg{h.address(), std::move(reason)}),
               nullptr);
    sched.run();
  }

  /// Ends `a` as a crash does: its actor exits with an error.
  void crash(const agent_actor& a) {
    exit_with(a, caf::make_error(caf::sec::runtime_error, "boom"));
  }

  /// The events of `kind` about `id` a collector got.
  std::vector<event> events(const caf::actor& c, event_kind kind,
                            const std::string& id) {
    std::vector<event> xs;
    for (auto& e : events_of(c))
      if (e.kind == kind && e.agent == id)
        xs.push_back(e);
    return xs;
  }

  supervisor_settings cfg;
};

} // namespace vigil::test
