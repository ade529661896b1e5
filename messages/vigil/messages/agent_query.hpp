// Looking at a large fleet a page at a time (issue 22): a filtered, paged list of
// agents, one agent with its recent events, and the nodes with their agents. The
// supervisor filters and pages; an observer never loads the whole fleet.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/agent_status.hpp"
#include "vigil/messages/event.hpp"

namespace vigil {

/// Most agents on one page.
constexpr uint32_t max_page_size = 500;

/// Which agents, and which page of them. Empty fields match every agent.
struct agent_query {
  caf::optional<agent_state> state;
  std::string type;        ///< Exactly this type.
  std::string node;        ///< Exactly this node.
  std::string id_contains; ///< Ids containing this text.
  uint64_t page = 0;       ///< From 0.
  uint32_t page_size = 50; ///< 1 to `max_page_size`.
};

/// @relates agent_query
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_query& x) {
  return f(caf::meta::type_name("vigil.agent_query"), x.state, x.type, x.node,
           x.id_contains, x.page, x.page_size);
}

/// One page of the agents a query matches, in the supervisor's record order (stable
/// while the fleet does not change).
struct agent_page {
  uint64_t total = 0; ///< Agents the query matches, on every page.
  uint64_t page = 0;
  uint32_t page_size = 0;
  std::vector<agent_status> agents;
};

/// @relates agent_page
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_page& x) {
  return f(caf::meta::type_name("vigil.agent_page"), x.total, x.page, x.page_size,
           x.agents);
}

/// One agent, with its events the supervisor's history still holds (newest last, at
/// most `max_detail_events`).
struct agent_detail {
  agent_status status;
  std::vector<event> recent;
};

/// Most events in an `agent_detail`.
constexpr size_t max_detail_events = 100;

/// @relates agent_detail
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_detail& x) {
  return f(caf::meta::type_name("vigil.agent_detail"), x.status, x.recent);
}

/// A node with agents in the record: how many in each state, and how late its beats
/// run (its pacer's last report; zero when it sent none).
struct node_summary {
  std::string node;
  std::vector<uint64_t> agents; ///< Indexed by `agent_state` (9 entries).
  bool overloaded = false;
  duration lateness{0};
};

/// @relates node_summary
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_summary& x) {
  return f(caf::meta::type_name("vigil.node_summary"), x.node, x.agents, x.overloaded,
           x.lateness);
}

} // namespace vigil
