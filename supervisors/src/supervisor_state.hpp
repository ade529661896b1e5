// The supervisor actor's state, its handle type and what a transition carries, shared
// by its source files; the functions they define for each other are in
// supervisor_engine.hpp.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/optional.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include "agent_record.hpp"
#include "deadline_queue.hpp"
#include "metric_counters.hpp"
#include "record_table.hpp"
#include "timer_heap.hpp"
#include "vigil/messages/log_limiter.hpp"
#include "vigil/stores/store_writer.hpp"
#include "vigil/supervisors/node_lateness.hpp"
#include "vigil/supervisors/restart_policy.hpp"
#include "vigil/supervisors/subscriber_hub.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::detail {

struct supervisor_state {
  static inline const char* name = "vigil.supervisor";

  supervisor_settings cfg; ///< Set once at start.
  /// Each configured type's settings, resolved once at start (the globals with the
  /// type's keys over them); other types use `global_type`. Agent records point into
  /// them: neither changes after the start.
  std::unordered_map<std::string, resolved_type_settings> type_cfg;
  resolved_type_settings global_type;

  /// What agents of `type` run with.
  const resolved_type_settings& settings_of(const std::string& type) const {
    auto i = type_cfg.find(type);
    return i != type_cfg.end() ? i->second : global_type;
  }
  record_table agents;
  /// Agent actor -> the keys of the records it owns (usually one). A multimap: one
  /// node per record, where a map to a vector cost an allocation more per agent.
  std::unordered_multimap<caf::actor_addr, uint64_t> owners;
  /// Every watched agent's next liveness deadline, behind one delayed message.
  deadline_queue liveness;
  time_point liveness_armed = time_point::max(); ///< When that message is due.
  bool sweeping = false; ///< Running due deadlines: arm once, at the end.
  /// What one sweep found, for its summary: a starved supervisor can find thousands
  /// of agents late at once, and a line for each would bury the log and starve it more.
  struct sweep_tally {
    size_t missed = 0;
    size_t late = 0;
    duration worst_lag{0};
  } tally;
  subscriber_hub hub{1, 1}; ///< Sized from `cfg` at start.
  std::unordered_map<caf::actor_addr, subscriber_hub::subscriber_id> subscriber_ids;
  struct subscriber_entry {
    caf::actor handle;
    bool with_agents =
        true; ///< Its snapshots carry the agents (`subscription_request`).
  };
  std::unordered_map<subscriber_hub::subscriber_id, subscriber_entry> subscribers;
  subscriber_hub::subscriber_id next_subscriber = 1;
  bool flush_pending = false; ///< A flush message is on its way to us.
  uint64_t liveness_timers = 0;
  uint64_t heartbeat_timeouts = 0; ///< Offline verdicts for want of a beat.
  metric_counters metrics;         ///< For `metrics_atom` (metrics.cpp).
  /// Inter-beat gaps in 10 ms buckets (see `supervisor_stats`): one add per beat.
  std::vector<uint64_t> beat_gaps = std::vector<uint64_t>(1001, 0);
  // The durable record (DESIGN §10): events go to the writer with the subscribers'.
  store_writer_actor store_writer;
  std::vector<event> store_out; ///< For the writer, with the next flush.
  uint64_t store_accepted = 0;
  store_progress store_seen; ///< The writer's last report.
  /// The Unix epoch on our clock: stored times count from it.
  time_point store_origin;
  uint64_t store_shed = 0;        ///< Events dropped here: the bound was full.
  uint64_t store_repair_sent = 0; ///< The drops the last repair sent makes good.
  std::shared_ptr<spdlog::logger> log;
  /// Refusals a peer can cause are logged once a second per kind (DESIGN §11).
  log_limiter refusals;
  /// Other lines a peer's messages cause (registrations, transitions, subscribers):
  /// at most 20 a second per kind, then a count (DESIGN §14). A fleet of a million
  /// churning agents must not bury the log, or the disk under it.
  log_limiter chatter{std::chrono::seconds(1), 64, 20};
  /// Node -> the digest of the key it first registered with (DESIGN §11): a node of
  /// that name must show the same key from then on. Keyed by the interned name.
  std::unordered_map<const std::string*, secret_digest> node_keys;
  /// Node -> how many records name it (a pin lives as long as its node has records).
  std::unordered_map<const std::string*, size_t> node_records;
  /// Node -> the lateness its pacer reports (DESIGN §14); only nodes that reported
  /// some, and only while they have records.
  std::unordered_map<const std::string*, node_lateness> node_health;
  /// The supervisor's own lateness: how late its liveness timer runs.
  node_lateness self_health;
  uint64_t deferred_checks = 0;   ///< Checks that waited for their node's lateness.
  duration peak_node_lateness{0}; ///< The latest any node reported, since the start.
  duration peak_self_lag{0};      ///< The latest our liveness timer ran, since then.
  /// Lives with an `offline_retention` message on its way: one each, however often an
  /// agent flaps (the message re-arms for the rest when it finds it back and gone
  /// again).
  std::unordered_set<uint64_t> lost_armed;
  /// Ends of offline_retention and of retention, each behind one delayed message
  /// (record_timers.cpp).
  timer_heap lost_due;
  time_point lost_armed_at = time_point::max(); ///< When that message is due.
  timer_heap purges;
  time_point purge_armed = time_point::max(); ///< When that message is due.
  /// An orderly stop under way (`stop_atom`, stopping.cpp); null: none.
  struct stop_order {
    std::vector<caf::typed_response_promise<supervisor_stats>> waiting;
    /// The agent actors of this process that were told to end and have not yet.
    std::unordered_set<caf::actor_addr> agents;
    bool writer_gone = false;
  };
  std::unique_ptr<stop_order> stopping;
  // Restarts (DESIGN §12; restarts.cpp, spawners.cpp).
  std::mt19937_64 restart_rng; ///< Draws jitter; `supervisor_options::restart_seed`.
  /// When this supervisor started: a restored restart waits `wait_for_spawner` from
  /// here at the earliest, since no node could offer to it before.
  time_point started_at;
  /// A node's offer to spawn agents of `types`.
  struct spawner_entry {
    spawner_actor spawner;
    std::vector<std::string> types;
  };
  /// Node name -> its one offer. Ordered: `placement: any` breaks ties by node name.
  std::map<std::string, spawner_entry> spawners;
  /// A spawner actor -> the nodes it offers for (its down message ends them).
  std::unordered_multimap<caf::actor_addr, std::string> spawner_nodes;
  /// Node -> its live agents (records not ended) plus the new lives asked of it and not
  /// yet registered: what `placement: any` compares, without a walk over the record.
  std::unordered_map<const std::string*, size_t> node_live;
  /// Records whose due restart waits for a node that offers their type.
  std::unordered_set<uint64_t> awaiting_spawner;
  /// `restart_rate`, when set.
  std::optional<restart_rate_limiter> restart_rate;
  /// Restarts that have their spawner and wait for a token: in due order, then by id.
  /// Entries are settled lazily: one whose record moved on is dropped when it is met.
  struct token_wait {
    time_point due;
    std::string id;
    uint64_t key;
  };
  struct token_wait_later {
    bool operator()(const token_wait& x, const token_wait& y) const noexcept {
      return std::tie(x.due, x.id, x.key) > std::tie(y.due, y.id, y.key);
    }
  };
  min_heap<token_wait, token_wait_later> awaiting_token;
  /// Each pending restart's one timer (its due time, spawner wait or registration
  /// deadline), behind one delayed message (record_timers.cpp).
  timer_heap restart_timers;
  time_point restart_armed = time_point::max();  ///< When that message is due.
  time_point token_timer_at = time_point::max(); ///< The token message that counts.
  uint64_t restarts_made = 0;
  uint64_t restarts_scheduled = 0;
  uint64_t restarts_given_up = 0;
  uint64_t restarts_pending = 0;
};

// Supervisor -> itself, for restarts (the `vgl_` prefix marks internal atoms).
using restart_atom = caf::atom_constant<caf::atom("vgl_rstart")>;
using restart_token_atom = caf::atom_constant<caf::atom("vgl_rtoken")>;

/// The public interface plus the messages the supervisor sends itself. Spawned as
/// this, handed out narrowed to `supervisor_actor`.
using supervisor_impl = supervisor_actor::extend<
    caf::reacts_to<deadline_atom, time_point>, caf::reacts_to<purge_atom, time_point>,
    caf::reacts_to<lost_atom, time_point>,
    caf::reacts_to<watchdog_atom, uint64_t, time_point>,
    caf::reacts_to<caf::flush_atom>, caf::reacts_to<store_progress>,
    caf::reacts_to<stop_atom, time_point>, // stop deadline
    caf::reacts_to<restart_atom, time_point>,
    caf::reacts_to<restart_token_atom, time_point>>;

using self_ptr = supervisor_impl::stateful_pointer<supervisor_state>;

/// What a transition carries besides its target.
struct change {
  agent_state to;
  std::string reason;
  std::string error = {};
  caf::optional<duration> recovery_in = caf::none;
  /// No log line for this transition: the caller logs a summary (a restore of a
  /// million agents must not write a million lines).
  bool quiet = false;
};

} // namespace vigil::detail
