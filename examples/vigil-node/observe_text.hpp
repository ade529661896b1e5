// What vigil-node watch and status print for people and as JSON: one line per event
// (watch) and per agent (status --agents).
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "vigil/messages/agent_status.hpp"
#include "vigil/messages/event.hpp"

namespace vigil::node {

/// The watch's line for `e`, without a newline: a transition as `from -> to
/// (reason)`, a restart as `restart_scheduled attempt 2 in 2s (crashed)` or
/// `restart_gave_up (intensity)`, a restarted life's registration with its attempt,
/// cause and count.
std::string event_text(const event& e);

/// Status --agents: the agent's line, without a newline. Its restarts when it has
/// some, and the pending restart's due time (UTC, as this host's clock sees the
/// supervisor's through `origin`, the Unix epoch on the local clock).
std::string agent_text(const agent_status& a, time_point origin);

/// Status --agents --json: the agent's object. `restarts` and `last_restart_reason`
/// always; `restart_due` (Unix seconds, to the millisecond, from `origin`) when a
/// restart is pending, else null.
boost::json::object agent_json(const agent_status& a, time_point origin);

} // namespace vigil::node
