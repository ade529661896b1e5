// The nine lifecycle states and the transition table of DESIGN §2.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/fwd.hpp>

namespace vigil {

/// Where an agent is in its life. The actor's behaviour *is* this state.
enum class agent_state : uint8_t {
  spawning,  ///< Actor exists, not yet registered.
  idle,      ///< Ready for a slot.
  busy,      ///< Working a work slot.
  on_call,   ///< Working an on-call slot.
  exhausted, ///< Quota or rate limit hit; comes back at `recovery_at`.
  offline,   ///< The supervisor lost its heartbeat or its node.
  completed, ///< Finished normally (terminal).
  failed,    ///< Crashed, errored or stalled (terminal).
  killed,    ///< Stopped on request (terminal).
};

/// Number of lifecycle states.
constexpr int agent_state_count = 9;

/// The coarse grouping of states.
enum class agent_phase : uint8_t { starting, running, terminal };

/// Every state, in declaration order.
const std::vector<agent_state>& all_agent_states();

/// @relates agent_state
std::string to_string(agent_state x);

/// Parses the name `to_string` gives; false when `text` names no state.
/// @relates agent_state
bool from_string(std::string_view text, agent_state& x);

/// @relates agent_state
agent_phase phase_of(agent_state x) noexcept;

/// True for completed, failed and killed: states no transition leaves.
inline bool is_terminal(agent_state x) noexcept {
  return phase_of(x) == agent_phase::terminal;
}

/// True for idle, busy, on_call, exhausted and offline: a life that has started and
/// not ended (what a store records as `started_at`).
inline bool is_running(agent_state x) noexcept {
  return phase_of(x) == agent_phase::running;
}

/// Whether the table allows `from -> to` (DESIGN §2). The one question the agent and
/// the supervisor both ask.
bool may_transition(agent_state from, agent_state to) noexcept;

/// The states `from` may move to, in declaration order.
std::vector<agent_state> allowed_targets(agent_state from);

/// Checks `from -> to` for agent `id`: an empty error when the table allows it, else
/// `errc::invalid_transition` naming the agent, its current state and the allowed
/// targets.
caf::error check_transition(const std::string& id, agent_state from, agent_state to);

} // namespace vigil
