// `metrics_atom` (DESIGN §13): the counters kept as the fleet moved, the supervisor's
// own figures and its nodes by state; O(states x types + nodes), never O(agents).
#include "supervisor_engine.hpp"

namespace vigil::detail {

fleet_metrics metrics_of(self_ptr self) {
  auto& st = self->state;
  fleet_metrics x;
  x.stats = stats_of(self);
  st.metrics.fill(x);
  // A node is `overloaded` while its pacer reports late beats, `up` while it has
  // agents that have not ended, and `ended` while it only has ended ones in retention.
  auto now = self->clock().now();
  auto horizon = stats_horizon(self);
  uint64_t up = 0, ended = 0, overloaded = 0;
  for (auto& [node, records] : st.node_records) {
    if (auto h = st.node_health.find(node); h != st.node_health.end() &&
                                            h->second.fresh(now, horizon) &&
                                            h->second.overloaded())
      ++overloaded;
    else if (st.node_live.count(node) > 0)
      ++up;
    else
      ++ended;
  }
  x.nodes = {{"up", up}, {"overloaded", overloaded}, {"ended", ended}};
  return x;
}

} // namespace vigil::detail
