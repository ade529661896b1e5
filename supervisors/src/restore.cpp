// The record a store kept, back in memory after a supervisor restart (DESIGN §10).
#include <algorithm>

#include <spdlog/logger.h>

#include "supervisor_engine.hpp"

namespace vigil::detail {

/// Running agents a restore names one by one (at debug level) before its summary.
constexpr size_t restore_samples = 3;

void restore(self_ptr self, stored_fleet fleet, time_point origin) {
  auto& st = self->state;
  auto now = self->clock().now();
  size_t back_offline = 0;
  for (auto& a : fleet.agents) {
    auto& cfg = st.settings_of(a.type);
    auto& rec = st.agents.add(a.id, a.type, a.node, cfg.heartbeat, now);
    count_on_node(self, rec.node.get(), +1);
    rec.state = a.state;
    st.metrics.count_state(rec.type, rec.state, +1);
    if (!is_terminal(rec.state))
      count_live(self, rec.node.get(), +1);
    rec.version = a.version;
    rec.registered_at = origin + a.registered_at;
    if (a.started_at)
      rec.started_at = origin + *a.started_at;
    if (a.ended_at)
      rec.ended_at = origin + *a.ended_at;
    if (a.recovery_at)
      rec.recovery_at = origin + *a.recovery_at;
    rec.reason = a.reason;
    if (!a.last_error.empty())
      rec.set_last_error(a.last_error);
    rec.watchdog_cfg = &cfg.watchdog;
    rec.owner_down = true; // its actor is unknown until it registers again
    rec.token = a.token_digest;
    restore_restart(self, rec, a, origin);
    if (!a.node_key_digest.empty()) {
      rec.node_keyed = true;
      st.node_keys.try_emplace(rec.node.get(), a.node_key_digest);
    }
    if (is_terminal(rec.state)) {
      // Retention goes on from when it ended, not from now.
      auto purge_at =
          (rec.ended_at != agent_record::none ? rec.ended_at : now) + st.cfg.retention;
      arm_purge(self, rec, std::max(purge_at, now));
    } else if (may_transition(rec.state, agent_state::offline)) {
      // One summary line below, not one per agent: a sample at debug level.
      if (back_offline < restore_samples)
        st.log->debug("supervisor: agent {} was {} when the record was kept; offline "
                      "until it beats or registers again",
                      rec.id, to_string(rec.state));
      change c{agent_state::offline, "supervisor_restart"};
      c.quiet = true;
      apply(self, rec, std::move(c));
      ++back_offline;
    } else if (rec.state == agent_state::offline) {
      // Its offline time is not stored: offline_retention counts from this start.
      rec.offline_since = now;
      if (auto keep = cfg.offline_retention)
        arm_lost(self, rec, *keep);
    } else {
      ensure_timer(self, rec); // spawning: it registers again, or fails its deadline
    }
  }
  st.log->info("supervisor: restored {} agents ({} running ones offline until they "
               "beat or register again); events go on after seq {}",
               fleet.agents.size(), back_offline, fleet.last_seq);
}

} // namespace vigil::detail
