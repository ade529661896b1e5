// The JSON of vigil's HTTP API (issue 22): agents in the status schema
// (status_json.hpp), events in the event schema (event_json.hpp), times as Unix
// seconds (`origin` from `unix_origin`).
#pragma once

#include <string>
#include <vector>

#include "vigil/messages/agent_query.hpp"
#include "vigil/messages/fleet_metrics.hpp"

namespace vigil::detail {

/// `/api/summary`: the newest seq, agents by state in all and by type.
std::string summary_json(const fleet_metrics& m);

/// `/api/agents`: `total`, `page`, `page_size`, `pages` and the page's `agents`.
std::string page_json(const agent_page& p, time_point origin);

/// `/api/agents/ID`: `status` and its recent `events`.
std::string detail_json(const agent_detail& d, time_point origin);

/// `/api/nodes`: each node's agents by state, `total`, `overloaded`, `lateness` (s).
std::string nodes_json(const std::vector<node_summary>& xs);

/// `{"error": text}`.
std::string error_json(const std::string& text);

} // namespace vigil::detail
