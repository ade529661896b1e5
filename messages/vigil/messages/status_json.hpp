// An agent's status as JSON (issue 22's `/api/agents`): the field names, the times as
// seconds from an origin with their exact nanoseconds (`t`/`at_ns` style, like
// `event_json.hpp`), optional times present only when set.
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "vigil/messages/agent_status.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// `x` as a JSON object: `id`, `type`, `node`, `state`, `version`, `registered_at`,
/// `last_beat`, `seconds_since_beat`, `missed`, `paused`, `healthy`, `reason`,
/// `last_error`, `restarts`, `last_restart_reason`, and when set `started_at`,
/// `ended_at`, `recovery_at`, `restart_due`; each time also as `<name>_ns`.
boost::json::object status_to_json(const agent_status& x, time_point origin);

/// The same, as one line of text.
std::string status_line(const agent_status& x, time_point origin);

} // namespace vigil
