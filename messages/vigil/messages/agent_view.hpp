// What an agent actor answers about itself (`get_atom`).
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// The agent as its own actor sees itself.
struct agent_view {
  std::string id;
  std::string type;
  std::string node;
  agent_state state = agent_state::spawning;
  uint64_t version = 0;
  uint32_t queued = 0;                   ///< Slots waiting behind the current one.
  caf::optional<time_point> recovery_at; ///< While exhausted.
  // No last error: an agent that failed has quit and answers nothing. The supervisor's
  // `agent_status` keeps it.
};

/// @relates agent_view
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_view& x) {
  return f(caf::meta::type_name("vigil.agent_view"), x.id, x.type, x.node, x.state,
           x.version, x.queued, x.recovery_at);
}

} // namespace vigil
