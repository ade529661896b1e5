// A node's spawner for restart tests: offers itself to a supervisor and starts real
// agents (`spawn_agent`) when the supervisor asks, recording what it was asked.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "vigil/actors/agent.hpp"
#include "vigil/messages/spawner_messages.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::test {

struct test_spawner_state {
  static inline const char* name = "vigil.test.spawner";
  std::vector<spawn_request> requests;       ///< Every request, in order.
  std::map<std::string, agent_actor> agents; ///< id -> the newest life it started.
  /// All it started, ended on its exit (shared: the state is gone by then).
  std::shared_ptr<std::vector<agent_actor>> started =
      std::make_shared<std::vector<agent_actor>>();
  caf::error offer_reply; ///< The supervisor's answer to the offer (none: accepted).
  bool answered = false;  ///< The supervisor answered the offer.
};

/// Offers to spawn agents of `types` on `node` (`spawner_offer`, no node key) and
/// starts each requested life as `spawn_agent(sys, sup, {id, type, node})`. `inert`:
/// records requests and starts nothing (a spawner that hangs). Its agents end with it.
caf::actor spawn_test_spawner(caf::actor_system& sys, supervisor_actor sup,
                              std::string node, std::vector<std::string> types,
                              bool inert = false);

} // namespace vigil::test
