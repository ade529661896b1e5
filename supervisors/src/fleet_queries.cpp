// Looking at a large fleet a page at a time (issue 22): one walk over the record per
// query, nothing kept per query, answers bounded by the page size.
#include <algorithm>

#include "supervisor_engine.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"

namespace vigil::detail {

namespace {

bool matches(const agent_query& q, const agent_record& rec) {
  if (q.state && rec.state != *q.state)
    return false;
  if (!q.type.empty() && *rec.type != q.type)
    return false;
  if (!q.node.empty() && (!rec.node || *rec.node != q.node))
    return false;
  return q.id_contains.empty() || rec.id.find(q.id_contains) != std::string::npos;
}

} // namespace

caf::result<agent_page> on_page(self_ptr self, const agent_query& q) {
  if (auto err = check_inbound(q))
    return refuse_input(self, "agent query", std::move(err));
  agent_page out;
  out.page = q.page;
  out.page_size = q.page_size;
  // Skip `page * page_size` matches (saturating: a page far past the end is empty).
  uint64_t first =
      q.page > UINT64_MAX / q.page_size ? UINT64_MAX : q.page * q.page_size;
  self->state.agents.for_each([&](agent_record& rec) {
    if (!matches(q, rec))
      return;
    if (out.total >= first && out.agents.size() < q.page_size)
      out.agents.push_back(status_of(self, rec));
    ++out.total;
  });
  return out;
}

caf::result<agent_detail> on_detail(self_ptr self, const std::string& id) {
  if (auto err = check_name("detail id", id))
    return refuse_input(self, "agent detail", std::move(err));
  auto* rec = self->state.agents.find(id);
  if (!rec)
    return make_error(errc::unknown_agent, id);
  agent_detail out;
  out.status = status_of(self, *rec);
  out.recent = self->state.hub.recent_of(id, max_detail_events);
  return out;
}

std::vector<node_summary> nodes_of(self_ptr self) {
  auto& st = self->state;
  std::unordered_map<const std::string*, node_summary> by_node;
  st.agents.for_each([&](agent_record& rec) {
    auto& n = by_node[rec.node.get()];
    if (n.agents.empty())
      n.agents.assign(agent_state_count, 0);
    ++n.agents[static_cast<size_t>(rec.state)];
  });
  auto now = self->clock().now();
  auto horizon = stats_horizon(self);
  std::vector<node_summary> out;
  out.reserve(by_node.size());
  for (auto& [name, n] : by_node) {
    n.node = name ? *name : std::string{};
    if (auto h = st.node_health.find(name);
        h != st.node_health.end() && h->second.fresh(now, horizon)) {
      n.overloaded = h->second.overloaded();
      n.lateness = h->second.lateness();
    }
    out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end(), [](const node_summary& x, const node_summary& y) {
    return x.node < y.node;
  });
  return out;
}

} // namespace vigil::detail
