#include "vigil/messages/register_types.hpp"

#include <vector>

#include <caf/actor_system_config.hpp>

#include "vigil/messages/agent_messages.hpp"
#include "vigil/messages/agent_query.hpp"
#include "vigil/messages/agent_status.hpp"
#include "vigil/messages/agent_view.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/event.hpp"
#include "vigil/messages/event_kind.hpp"
#include "vigil/messages/fleet_metrics.hpp"
#include "vigil/messages/quota_reason.hpp"
#include "vigil/messages/slot_kind.hpp"
#include "vigil/messages/spawner_messages.hpp"
#include "vigil/messages/subscription.hpp"
#include "vigil/messages/supervisor_stats.hpp"

namespace vigil {

void register_types(caf::actor_system_config& cfg) {
  // The same names on every node: BASP matches types by name (caf-0.17-notes §7).
  cfg.add_message_type<agent_state>("vigil.agent_state");
  cfg.add_message_type<slot_kind>("vigil.slot_kind");
  cfg.add_message_type<slot_outcome>("vigil.slot_outcome");
  cfg.add_message_type<quota_reason>("vigil.quota_reason");
  cfg.add_message_type<event_kind>("vigil.event_kind");
  cfg.add_message_type<life_token>("vigil.life_token");
  cfg.add_message_type<credential>("vigil.credential");
  cfg.add_message_type<registration>("vigil.registration");
  cfg.add_message_type<registration_ack>("vigil.registration_ack");
  cfg.add_message_type<heartbeat>("vigil.heartbeat");
  cfg.add_message_type<paced_beat>("vigil.paced_beat");
  cfg.add_message_type<beat_batch>("vigil.beat_batch");
  cfg.add_message_type<transition_report>("vigil.transition_report");
  cfg.add_message_type<child_evidence>("vigil.child_evidence");
  cfg.add_message_type<activity_report>("vigil.activity_report");
  cfg.add_message_type<child_report>("vigil.child_report");
  cfg.add_message_type<event>("vigil.event"); // also std::vector<event>
  cfg.add_message_type<agent_status>("vigil.agent_status");
  cfg.add_message_type<agent_view>("vigil.agent_view");
  cfg.add_message_type<fleet_counts>("vigil.fleet_counts");
  cfg.add_message_type<subscription_filter>("vigil.subscription_filter");
  cfg.add_message_type<subscription_request>("vigil.subscription_request");
  cfg.add_message_type<snapshot>("vigil.snapshot");
  cfg.add_message_type<event_batch>("vigil.event_batch");
  cfg.add_message_type<supervisor_stats>("vigil.supervisor_stats");
  cfg.add_message_type<fleet_metrics>("vigil.fleet_metrics");
  cfg.add_message_type<agent_query>("vigil.agent_query");
  cfg.add_message_type<agent_page>("vigil.agent_page");
  cfg.add_message_type<agent_detail>("vigil.agent_detail");
  cfg.add_message_type<node_summary>("vigil.node_summary"); // also std::vector<...>
  cfg.add_message_type<spawn_request>("vigil.spawn_request");
  cfg.add_message_type<spawner_offer>("vigil.spawner_offer");
  cfg.add_message_type<spawner_actor>("vigil.spawner_actor");
  cfg.add_error_category(error_category,
                         [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                           auto x = static_cast<errc>(code);
                           return "vigil::" + to_string(x) + ": " + describe(x, ctx);
                         });
}

} // namespace vigil
