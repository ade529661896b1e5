// What the supervisor's source files define for each other (one section a file: the
// liveness engine, membership, restarts, queries, ...), over the state in
// supervisor_state.hpp. Every engine file includes this.
#pragma once

#include "supervisor_state.hpp"

namespace vigil::detail {

/// The record of `id` if `token` is its life's token; else the refusal, logged
/// (`what` names the message).
caf::expected<agent_record*> owned(self_ptr self, const std::string& id,
                                   const life_token& token, const char* what);

/// The same for a record already looked up (`found`: null when there is none).
caf::expected<agent_record*> owned(self_ptr self, agent_record* found,
                                   const std::string& id, const life_token& token,
                                   const char* what);

/// Logs `text` unless a line of this `kind` went out less than a second ago (then it
/// counts it, and the next line says how many were held back).
void log_refusal(self_ptr self, const std::string& kind, const std::string& text);

/// Logs a line a peer's message caused (`kind`: "transition", "registration", ...) at
/// `level`, unless `chatter` holds it back; the next line written says how many were.
template <class... Ts>
void log_limited(self_ptr self, spdlog::level::level_enum level, const char* kind,
                 fmt::format_string<Ts...> text, Ts&&... xs) {
  auto& st = self->state;
  if (!st.log->should_log(level))
    return;
  uint64_t held = 0;
  if (!st.chatter.allow(kind, self->clock().now(), held))
    return;
  auto line = fmt::format(text, std::forward<Ts>(xs)...);
  if (held > 0)
    st.log->log(level, "{} ({} more {} lines held back in the last second)", line, held,
                kind);
  else
    st.log->log(level, "{}", line);
}

/// Logs (rate-limited) that a message with a value out of range was refused; returns
/// the error for a reply.
caf::error refuse_input(self_ptr self, const char* what, caf::error err);

/// A heartbeat sent by the agent itself (liveness.cpp).
void on_heartbeat(self_ptr self, const heartbeat& hb);

/// A pacer's batch of beats.
void on_beat_batch(self_ptr self, beat_batch& batch);

/// The liveness queue's delayed message, armed for `at`.
void on_liveness_tick(self_ptr self, time_point at);

/// A batch from a node's pacer says its beats run `lateness` late: noted for the node
/// of each record it beat for (`rec`), logged when that node enters or leaves overload
/// (local_health.cpp).
void note_node_lateness(self_ptr self, const agent_record& rec, duration lateness,
                        time_point now);

/// How long a liveness check of `rec` due now waits for its node's lateness.
duration node_deferral(self_ptr self, const agent_record& rec, time_point now);

/// The liveness timer ran `lag` late: the supervisor's own lateness, logged when it
/// enters or leaves overload.
void note_self_lag(self_ptr self, duration lag, time_point now);

/// Local health figures for `stats_atom`.
void fill_health_stats(self_ptr self, supervisor_stats& x);

/// Registration: a new record, a returning owner, or a refusal (DESIGN §3, §7).
/// `owner`: the agent actor (the sender, or the one a relay names).
caf::result<registration_ack> on_registration(self_ptr self, registration& reg,
                                              caf::actor owner);

/// A monitored agent or subscriber is gone.
void on_down(self_ptr self, caf::down_msg& dm);

/// `stop_atom` from the owning process: ends local agents, then the store writer, then
/// answers and quits (stopping.cpp).
caf::typed_response_promise<supervisor_stats> on_stop(self_ptr self);

/// During a stop: `dm` may be the last agent or the writer it waited for.
void on_stop_down(self_ptr self, const caf::down_msg& dm);

/// The stop's deadline `due` passed: ends it with what is committed so far.
void on_stop_deadline(self_ptr self, time_point due);

/// The supervisor's own figures (`stats_atom`).
supervisor_stats stats_of(self_ptr self);

/// How long a node's last lateness report counts (a node that stopped reporting is no
/// longer counted as overloaded).
duration stats_horizon(self_ptr self);

/// Everything a monitoring scrape reads (metrics.cpp).
fleet_metrics metrics_of(self_ptr self);

/// A page of the agents `q` matches; one agent with its recent events; the nodes with
/// their agents by state (fleet_queries.cpp).
caf::result<agent_page> on_page(self_ptr self, const agent_query& q);
caf::result<agent_detail> on_detail(self_ptr self, const std::string& id);
std::vector<node_summary> nodes_of(self_ptr self);

/// Hands what is waiting to subscribers and the store writer now.
void send_batches(self_ptr self);

/// The record a store kept: agents that were running come back offline
/// (`supervisor_restart`) until they beat or register again; ended ones keep their
/// retention. The caller set the hub to number on after the last stored seq.
void restore(self_ptr self, stored_fleet fleet, time_point origin);

/// An agent's own reports, proven by its life's token (agent_reports.cpp).
caf::result<void> on_report(self_ptr self, transition_report& rep);
void on_activity(self_ptr self, activity_report& x);
void on_children(self_ptr self, child_report& x);

/// A subscriber joins: the snapshot, or what it missed (subscriptions.cpp).
caf::typed_response_promise<snapshot> on_subscribe(self_ptr self,
                                                   subscription_request& req);

/// Removes a record and what points to it (membership.cpp). `keep_type`: a new life of
/// the id follows, which keeps its type's metrics going.
void forget(self_ptr self, agent_record& rec, bool keep_type = false);

/// Purges `rec` at `at` (its end + retention) unless a new life took its id by then
/// (record_timers.cpp).
void arm_purge(self_ptr self, const agent_record& rec, time_point at);

/// The purge message: purges every ended life whose retention is over.
void on_purge_tick(self_ptr self, time_point at);

/// Arms the end of an offline agent's `offline_retention` (if its type has one and no
/// message for the life is on its way).
void arm_lost(self_ptr self, const agent_record& rec, duration after);

/// The `offline_retention` message: every life offline for that long ends `failed`
/// with reason `lost`; one offline for less (back and gone again) re-arms.
void on_lost_tick(self_ptr self, time_point at);

/// Counts a record on its node (`by` = +1 or -1). A node's pinned key lives as long as
/// the node has records: the store keeps it with them, and a restart rebuilds it from
/// them (membership.cpp).
void count_on_node(self_ptr self, const std::string* node, int by);

/// Makes `owner` the owner of `rec` and monitors it (once per actor).
void adopt(self_ptr self, agent_record& rec, caf::actor owner);

/// The record of an ended agent lets go of its actor (monitor stays; harmless).
void release_owner(self_ptr self, agent_record& rec);

/// A record event (registered, purged) for subscribers' models. `restarted`: the
/// restart that this new life made (its `registered` event carries the attempt, the
/// count and the cause).
void emit_record_event(self_ptr self, const agent_record& rec, event_kind kind,
                       std::string reason, const restart_made* restarted = nullptr);

/// Moves `rec` to `c.to` (the caller checked the table), updates times, broadcasts
/// the event, and arms retention for terminal states.
void apply(self_ptr self, agent_record& rec, change c);

/// Queues the policy's liveness deadline when it is earlier than the agent's pending
/// one, and arms the queue's delayed message when that deadline comes first.
void ensure_timer(self_ptr self, agent_record& rec);

/// Arms the one delayed message for the queue's earliest deadline, if it is not
/// armed for that time or earlier already.
void arm_liveness(self_ptr self);

/// Evaluates the watchdog of `rec` up to `now`, broadcasts its notes and ends the agent
/// on a fire. False when the agent was ended.
bool run_watchdog(self_ptr self, agent_record& rec, time_point now);

/// Broadcasts watchdog notes; on a fire, ends the agent `failed` and sends its actor an
/// exit. False when the agent was ended.
bool publish_notes(self_ptr self, agent_record& rec, std::vector<watchdog_note>& notes);

/// Arms the watchdog of an agent that is working, if its type has one configured.
void start_watching(self_ptr self, agent_record& rec, time_point now);

/// Arms the watchdog timer for the policy's next deadline (stale ones are no-ops).
void ensure_watchdog_timer(self_ptr self, agent_record& rec);

/// Hands the outbox to the store writer within the store's bound, and after drops the
/// record for a repair of the stored agents table (store_link.cpp).
void hand_to_store(self_ptr self);

/// The event of `kind` about `rec` as it stands (its state as both `from` and `to`,
/// its version) at `at`: the one place events are made; callers set what differs.
event event_for(const agent_record& rec, event_kind kind, time_point at);

/// Appends an event to the stream and makes sure subscribers get it soon.
void emit(self_ptr self, event e);

/// Sends every subscriber what flow control allows.
void flush(self_ptr self);

/// The status of `rec` as of now.
agent_status status_of(self_ptr self, const agent_record& rec);

/// `agent_status::healthy` of `rec`, without building the status: running, not
/// offline, no beat missed.
bool healthy(const agent_record& rec);

/// The matching agents, as of now.
std::vector<agent_status> snapshot_of(self_ptr self, const subscription_filter& filter);

/// An agent ended (`apply` to a terminal state, at `now`): asks its type's restart
/// policy and schedules the restart or gives up, with their events (restarts.cpp).
void on_agent_ended(self_ptr self, agent_record& rec, time_point now);

/// The restart timer of the record `key`, armed for `at` (restarts.cpp).
void on_restart_timer(self_ptr self, uint64_t key, time_point at);

/// Arms the restart timer of the record `key` for `at` (record_timers.cpp).
void arm_restart_timer(self_ptr self, uint64_t key, time_point at);

/// The restart message: runs every restart timer due by now.
void on_restart_tick(self_ptr self, time_point at);

/// The token message, armed for `at`: restarts that waited for a token go on.
void on_token_timer(self_ptr self, time_point at);

/// Whether a registration showing `token` is of a life that a restart of `rec`
/// replaced or is replacing (refused: `superseded`).
bool superseded(const agent_record& rec, const life_token& token);

/// A new life takes the id of `ended`: its restart state, to carry to the new record
/// (none: none); a pending restart that was not requested yet is cancelled (a start
/// by hand); a requested one is made by `carry_restart`.
std::optional<restart_track> take_restart(self_ptr self, agent_record& ended);

/// The new life `rec` (just added) gets the restart state `carried` of the life it
/// replaced (version `old_version`): its version rises above that one, and a requested
/// restart is made here (its pending part freed). Returns what it made (for the
/// event), or nothing.
std::optional<restart_made> carry_restart(self_ptr self, agent_record& rec,
                                          std::optional<restart_track> carried,
                                          uint64_t old_version);

/// A restored ended record with a pending restart makes it again at its due time.
void restore_restart(self_ptr self, agent_record& rec, const stored_agent& row,
                     time_point origin);

/// Whether the purge of `rec` waits for its pending restart.
bool purge_held(const agent_record& rec);

/// Restart figures for `stats_atom`.
void fill_restart_stats(self_ptr self, supervisor_stats& x);

/// A node offers to spawn agents (spawners.cpp).
caf::result<void> on_spawner_offer(self_ptr self, spawner_offer& offer);

/// A spawner went down: its offers end. False when `dm` is not about a spawner.
bool on_spawner_down(self_ptr self, const caf::down_msg& dm);

/// Counts a live agent (or a life asked for) on `node` (`by` = +1 or -1).
void count_live(self_ptr self, const std::string* node, int by);

/// The offer of a node that spawns agents of `rec`'s type, where `placement` allows;
/// null when none does.
const supervisor_state::spawner_entry* find_spawner(self_ptr self,
                                                    const agent_record& rec);

/// A due restart of `rec` goes as far as it can now: finds its spawner and a token and
/// asks for the new life, or waits (restarts.cpp).
void advance_restart(self_ptr self, agent_record& rec, time_point now);

/// The spawner of `node` is gone: restarts asked of it and not registered yet wait for
/// a spawner again (no attempt is counted: the node, not the agent, failed). A walk
/// over the record, once per lost spawner.
void reask_restarts_of(self_ptr self, const std::string& node);

/// Sends `agent` an exit message with no sender: the supervisor never sends to a peer
/// as itself, which would make it reachable by actor id (DESIGN §11). (CAF's
/// `anon_send_exit` takes only an `exit_reason`.)
inline void end_agent_actor(const caf::actor& agent, caf::error reason) {
  if (agent)
    agent->enqueue(nullptr, caf::make_message_id(),
                   caf::make_message(caf::exit_msg{agent.address(), std::move(reason)}),
                   nullptr);
}

/// Whether liveness still watches an agent in `x`.
inline bool watched(agent_state x) noexcept {
  return x != agent_state::offline && !is_terminal(x);
}

} // namespace vigil::detail
