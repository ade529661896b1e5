// The supervisor actor: the single writer of the fleet record (DESIGN §3-§5).
#pragma once

#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/optional.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "vigil/config/supervisor_settings.hpp"
#include "vigil/messages/agent_facing_supervisor.hpp"
#include "vigil/messages/agent_query.hpp"
#include "vigil/messages/agent_status.hpp"
#include "vigil/messages/atoms.hpp"
#include "vigil/messages/fleet_metrics.hpp"
#include "vigil/messages/stop_stage.hpp"
#include "vigil/messages/subscription.hpp"
#include "vigil/messages/supervisor_stats.hpp"
#include "vigil/stores/fleet_store.hpp"

namespace vigil {

/// Looking, not touching: queries and the event stream. Unknown ids answer
/// `unknown_agent`.
///
/// - `status_atom, id` -> one agent's `agent_status`; `status_atom` -> all of them.
/// - `count_atom` -> `fleet_counts`; `stats_atom` -> `supervisor_stats`;
///   `metrics_atom` -> `fleet_metrics` (O(states x types), for monitoring scrapes).
/// - `page_atom, agent_query` -> `agent_page` (filtered and paged by the supervisor);
///   `detail_atom, id` -> `agent_detail`; `nodes_atom` -> the nodes with their agents.
/// - `subscription_request` -> `snapshot`, then `event_batch` messages to the sender,
///   acknowledged with `ack_atom, seq`; a `snapshot` message with `missed > 0` resyncs
///   a subscriber that fell behind the history. `unsubscribe_atom` ends it.
using supervisor_observer =
    caf::typed_actor<caf::replies_to<status_atom, std::string>::with<agent_status>,
                     caf::replies_to<status_atom>::with<std::vector<agent_status>>,
                     caf::replies_to<count_atom>::with<fleet_counts>,
                     caf::replies_to<stats_atom>::with<supervisor_stats>,
                     caf::replies_to<metrics_atom>::with<fleet_metrics>,
                     caf::replies_to<page_atom, agent_query>::with<agent_page>,
                     caf::replies_to<detail_atom, std::string>::with<agent_detail>,
                     caf::replies_to<nodes_atom>::with<std::vector<node_summary>>,
                     caf::replies_to<subscription_request>::with<snapshot>,
                     caf::reacts_to<ack_atom, uint64_t>,
                     caf::reacts_to<caf::unsubscribe_atom>>;

/// Observing plus commands: `kill_atom, id` (the agent ends `killed` and its actor is
/// sent an exit), `pause_atom, id` (liveness stops counting), `resume_atom, id` (counts
/// again from a fresh beat).
using supervisor_commander =
    supervisor_observer::extend<caf::reacts_to<kill_atom, std::string>,
                                caf::reacts_to<pause_atom, std::string>,
                                caf::reacts_to<resume_atom, std::string>>;

/// A registration relayed on behalf of the agent actor `owner` (by the gate that
/// `publish_supervisor` puts on the network): the supervisor monitors `owner` and
/// answers the relay, so that it never sends to a peer as itself (DESIGN §11).
using supervisor_relay_target =
    caf::typed_actor<caf::replies_to<registration, caf::actor>::with<registration_ack>>;

/// What only the process that spawned a supervisor may ask of it: `stop_atom` ends it
/// in an order that loses nothing (`fleet_scope` sends it for you). It ends every agent
/// actor of its own process that it watches (reason `node_shutdown`, state `killed`),
/// records their ends, hands every event to its store writer, waits until the writer
/// has committed them and is gone, then answers with its final `supervisor_stats` and
/// quits (`user_shutdown`). Agents of other processes are not touched: they go on
/// beating into the void until their node stops them or they find a new supervisor
/// (a registration while it stops is answered like a supervisor that is gone, so an
/// agent keeps its state). When it cannot end in order (an agent or the writer did not
/// end within `store.reply_timeout` + 5 s, or the store does not have every event) it
/// answers with an error that says so, and quits all the same. Gates never forward
/// it; a request whose sender is on another node is refused (`unauthorized`).
using supervisor_owner =
    caf::typed_actor<caf::replies_to<stop_atom>::with<supervisor_stats>>;

/// The whole interface: what agents send, plus commands, queries and the stop. Narrows
/// implicitly to `agent_facing_supervisor`, `supervisor_commander` or
/// `supervisor_observer`. Keep this handle in the process: across nodes, peers talk
/// to a gate (`publish_supervisor`), which forwards what each role may send.
using supervisor_actor =
    supervisor_commander::extend_with<agent_facing_supervisor>::extend_with<
        supervisor_relay_target>::extend_with<supervisor_owner>;

/// What stored times count from (`supervisor_options::store_times`).
enum class store_time_base : uint8_t {
  unix_epoch,  ///< Wall-clock (Unix) times: a record outlives the process and the host.
  clock_epoch, ///< The actor clock's own: in virtual time, exact to the nanosecond.
};

/// How a supervisor runs in its process; unlike `supervisor_settings`, nothing a
/// settings file says. In virtual time (CAF's test scheduler, as in vigil-sim and the
/// tests) set both fields the other way.
struct supervisor_options {
  /// With a store: whether its writer gets a thread of its own (a CAF `detached`
  /// actor), so that a slow disk never stalls the supervisor. A detached writer does
  /// not follow a virtual clock: false schedules it like every other actor.
  bool detached_store_writer = true;
  /// With a store: what its times count from. `clock_epoch` only in virtual time: a
  /// real steady clock's epoch is the host's boot, and a reloaded record would be off
  /// by the difference after a restart.
  store_time_base store_times = store_time_base::unix_epoch;
  /// Seeds the generator that draws restart jitter (DESIGN §12), so that a simulation
  /// repeats exactly. None: a random seed.
  caf::optional<uint64_t> restart_seed;
};

/// Spawns a supervisor. With `settings.store` it first opens the store and loads the
/// record it kept (agents that were running come back `offline` with reason
/// `supervisor_restart` until they beat or register again; ended ones keep their
/// retention; seq goes on after the last committed one), then hands every event to a
/// store writer that commits in batches (`stats_atom` tells how far it got). Fails
/// with `errc::bad_config` when the settings make no sense or the store cannot be
/// opened or read (the message names the file or URL and what is wrong). Stop it
/// with an exit message (`user_shutdown`): its pending timers would otherwise keep it
/// alive; its writer commits what it still holds and ends with it.
caf::expected<supervisor_actor> spawn_supervisor(caf::actor_system& sys,
                                                 supervisor_settings settings = {},
                                                 supervisor_options options = {});

/// The same with a store of your own (any `fleet_store`; `settings.store` then only
/// sets the batching and the buffer bound). A null store: none.
caf::expected<supervisor_actor> spawn_supervisor(caf::actor_system& sys,
                                                 supervisor_settings settings,
                                                 std::shared_ptr<fleet_store> store,
                                                 supervisor_options options = {});

/// A supervisor stops first (`fleet_scope`): it ends its own agents in order.
template <>
struct stop_stage_of<supervisor_actor> {
  static constexpr stop_stage value = stop_stage::supervisors;
};

} // namespace vigil
