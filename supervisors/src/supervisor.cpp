// The supervisor actor: decodes messages, reads the clock once, asks the policies and
// the table, and changes the record (DESIGN §3-§5).
#include "vigil/supervisors/supervisor.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/response_promise.hpp>
#include <caf/result.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/event_json.hpp"
#include "vigil/messages/inbound_checks.hpp"
#include "vigil/messages/log.hpp"

namespace vigil {

namespace detail {

void log_refusal(self_ptr self, const std::string& kind, const std::string& text) {
  uint64_t held = 0;
  if (!self->state.refusals.allow(kind, self->clock().now(), held))
    return;
  if (held > 0)
    self->state.log->error("{} ({} more like it in the last second, not logged)", text,
                           held);
  else
    self->state.log->error("{}", text);
}

caf::error refuse_input(self_ptr self, const char* what, caf::error err) {
  log_refusal(self, std::string{what} + ":input",
              fmt::format("{} refused: {}", what, self->system().render(err)));
  return err;
}

caf::expected<agent_record*> owned(self_ptr self, const std::string& id,
                                   const life_token& token, const char* what) {
  return owned(self, self->state.agents.find(id), id, token, what);
}

caf::expected<agent_record*> owned(self_ptr self, agent_record* found,
                                   const std::string& id, const life_token& token,
                                   const char* what) {
  if (!found) {
    log_refusal(self, std::string{what} + ":unknown",
                fmt::format("{} for unknown agent {} refused", what, id));
    return make_error(errc::unknown_agent, id);
  }
  auto& rec = *found;
  if (is_terminal(rec.state) && !rec.owner) {
    // Sent before its actor ended; nothing to refuse loudly.
    self->state.log->debug("{} for ended agent {} ignored", what, id);
    return check_transition(id, rec.state, agent_state::idle);
  }
  // The life's token, not the sender: CAF 0.17 lets a peer forge the sender of a
  // routed message (DESIGN §11).
  if (!matches(rec.token, digest_of(token))) {
    log_refusal(self, std::string{what} + ":token",
                fmt::format("{} for agent {} refused: not its life's token", what, id));
    return make_error(errc::unauthorized, std::string{what} + " for agent " + id,
                      std::string{"not its life's token"});
  }
  return &rec;
}

void send_batches(self_ptr self) {
  auto& st = self->state;
  st.flush_pending = false;
  hand_to_store(self);
  st.hub.flush(
      [self](subscriber_hub::subscriber_id id, event_batch&& batch) {
        // Subscribers are any actors; typed senders reach untyped ones anonymously.
        caf::anon_send(self->state.subscribers.at(id).handle, std::move(batch));
      },
      [self](subscriber_hub::subscriber_id id, uint64_t missed) {
        auto& st = self->state;
        log_limited(self, spdlog::level::warn, "resync",
                    "subscriber {} fell {} events behind the history; resyncing it "
                    "from a snapshot",
                    id, missed);
        auto& sub = st.subscribers.at(id);
        snapshot snap{st.hub.epoch(), st.hub.last_seq(), missed, true, {}};
        if (sub.with_agents)
          snap.agents = snapshot_of(self, *st.hub.filter_of(id));
        caf::anon_send(sub.handle, std::move(snap));
      });
}

} // namespace detail

namespace {

using namespace detail;

caf::result<void> ok() {
  return caf::unit;
}

/// A registration while the supervisor stops: the agent would outlive it. Not a
/// refusal of the agent (it keeps its state and registers with the next supervisor it
/// is handed): the same as a supervisor that is gone.
caf::error stopping_refusal(const registration& reg) {
  return caf::make_error(caf::sec::request_receiver_down,
                         "registration of " + reg.id + ": the supervisor is stopping");
}

caf::expected<agent_record*> find(self_ptr self, const std::string& id) {
  if (auto* rec = self->state.agents.find(id))
    return rec;
  return make_error(errc::unknown_agent, id);
}

/// The same for a command, which is often sent rather than requested: the refusal
/// is also logged (rate-limited), or nobody would ever hear of it.
caf::expected<agent_record*> find_for(self_ptr self, const std::string& id,
                                      const char* command) {
  auto rec = find(self, id);
  if (!rec)
    log_refusal(self, std::string{command} + ":unknown",
                fmt::format("{} for unknown agent {} refused", command, id));
  return rec;
}

void on_watchdog(self_ptr self, uint64_t key, time_point due) {
  auto* rec = self->state.agents.find(key);
  if (!rec || rec->watchdog_due != due)
    return; // stale: superseded by an earlier one, or purged
  rec->watchdog_due = time_point::max();
  run_watchdog(self, *rec, self->clock().now()); // re-arms if still watching
}

supervisor_impl::behavior_type supervisor(self_ptr self, supervisor_settings cfg,
                                          std::shared_ptr<fleet_store> store,
                                          stored_fleet fleet, uint64_t epoch,
                                          supervisor_options opts) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.global_type = {st.cfg.heartbeat, st.cfg.watchdog, st.cfg.offline_retention,
                    st.cfg.restart};
  for (auto& kv : st.cfg.types)
    st.type_cfg.emplace(kv.first, st.cfg.resolved(kv.first));
  st.hub = subscriber_hub{st.cfg.history, st.cfg.subscriber_window};
  st.hub.continue_after(fleet.last_seq);
  st.hub.begin_epoch(epoch);
  st.log = log();
  st.restart_rng.seed(opts.restart_seed ? *opts.restart_seed : random_u64());
  st.started_at = self->clock().now();
  if (st.cfg.restart_rate)
    st.restart_rate.emplace(*st.cfg.restart_rate);
  if (store) {
    auto origin = opts.store_times == store_time_base::unix_epoch
                      ? unix_origin(self->clock().now())
                      : time_point{};
    st.store_origin = origin;
    st.store_writer = spawn_store_writer(self->system(), store, st.cfg.store,
                                         caf::actor_cast<caf::actor>(self), origin,
                                         opts.detached_store_writer);
    // The writer commits what it holds and ends with us.
    self->attach_functor([writer = st.store_writer](const caf::error&) {
      caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
    });
    st.log->info("supervisor: record in {} ({} agents, events up to seq {}); start {}",
                 store->describe(), fleet.agents.size(), fleet.last_seq, epoch);
    restore(self, std::move(fleet), origin);
  }
  self->set_down_handler([self](caf::down_msg& dm) {
    on_spawner_down(self, dm);
    on_down(self, dm);
    if (self->state.stopping)
      on_stop_down(self, dm);
  });
  // Events of this mailbox pass not yet flushed still reach the store writer.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    send_batches(self);
    self->quit(msg.reason);
  });
  return {
      [self](registration& reg) -> caf::result<registration_ack> {
        if (self->state.stopping)
          return stopping_refusal(reg);
        return on_registration(self, reg,
                               caf::actor_cast<caf::actor>(self->current_sender()));
      },
      [self](registration& reg, caf::actor& owner) -> caf::result<registration_ack> {
        if (self->state.stopping)
          return stopping_refusal(reg);
        return on_registration(self, reg, std::move(owner));
      },
      // const: a message sent to many (or again) is read, never copied
      [self](const heartbeat& hb) { on_heartbeat(self, hb); },
      [self](beat_batch& batch) { on_beat_batch(self, batch); },
      [self](transition_report& rep) { return on_report(self, rep); },
      [self](activity_report& x) { on_activity(self, x); },
      [self](child_report& x) { on_children(self, x); },
      [self](spawner_offer& x) { return on_spawner_offer(self, x); },
      [self](status_atom, const std::string& id) -> caf::result<agent_status> {
        auto rec = find(self, id);
        if (!rec)
          return std::move(rec.error());
        return status_of(self, **rec);
      },
      [self](status_atom) { return snapshot_of(self, {}); },
      [self](count_atom) {
        fleet_counts x;
        self->state.agents.for_each([&](const agent_record& rec) {
          ++x.by_state[rec.state];
          ++x.registered;
          if (healthy(rec)) // no status (with its strings) per record
            ++x.healthy;
        });
        return x;
      },
      [self](stats_atom) { return stats_of(self); },
      [self](metrics_atom) { return metrics_of(self); },
      [self](page_atom, agent_query& q) { return on_page(self, q); },
      [self](detail_atom, std::string& id) { return on_detail(self, id); },
      [self](nodes_atom) { return nodes_of(self); },
      [self](subscription_request& req) { return on_subscribe(self, req); },
      [self](ack_atom, uint64_t seq) {
        auto& st = self->state;
        auto s = st.subscriber_ids.find(
            caf::actor_cast<caf::actor_addr>(self->current_sender()));
        if (s == st.subscriber_ids.end())
          return;
        if (!st.hub.ack(s->second, seq)) {
          log_refusal(self, "ack",
                      fmt::format("subscriber {} acknowledged seq {}, beyond what it "
                                  "was sent; ignored",
                                  s->second, seq));
          return;
        }
        send_batches(self);
      },
      [self](caf::unsubscribe_atom) {
        auto& st = self->state;
        auto s = st.subscriber_ids.find(
            caf::actor_cast<caf::actor_addr>(self->current_sender()));
        if (s == st.subscriber_ids.end())
          return;
        st.hub.remove(s->second);
        // The monitor stays: a later down message for it finds nothing to do.
        st.subscribers.erase(s->second);
        st.subscriber_ids.erase(s);
      },
      [self](kill_atom, const std::string& id) -> caf::result<void> {
        auto rec = find_for(self, id, "kill");
        if (!rec)
          return std::move(rec.error());
        auto& r = **rec;
        if (auto err = check_transition(id, r.state, agent_state::killed))
          return err;
        apply(self, r, change{agent_state::killed, "kill_command"});
        if (r.owner) // released when its down message arrives; anonymous: the
                     // supervisor sends nothing to a peer as itself (DESIGN §11)
          caf::anon_send_exit(r.owner, caf::exit_reason::user_shutdown);
        return ok();
      },
      [self](pause_atom, const std::string& id) -> caf::result<void> {
        auto rec = find_for(self, id, "pause");
        if (!rec)
          return std::move(rec.error());
        (*rec)->beats.pause();
        log_limited(self, spdlog::level::info, "command", "agent {}: liveness paused",
                    id);
        return ok();
      },
      [self](resume_atom, const std::string& id) -> caf::result<void> {
        auto rec = find_for(self, id, "resume");
        if (!rec)
          return std::move(rec.error());
        (*rec)->beats.resume(self->clock().now());
        ensure_timer(self, **rec);
        log_limited(self, spdlog::level::info, "command", "agent {}: liveness resumed",
                    id);
        return ok();
      },
      [self](deadline_atom, time_point at) { on_liveness_tick(self, at); },
      [self](purge_atom, time_point at) { on_purge_tick(self, at); },
      [self](lost_atom, time_point at) { on_lost_tick(self, at); },
      [self](watchdog_atom, uint64_t key, time_point due) {
        on_watchdog(self, key, due);
      },

      [self](restart_atom, time_point at) { on_restart_tick(self, at); },
      [self](restart_token_atom, time_point at) { on_token_timer(self, at); },
      [self](caf::flush_atom) { send_batches(self); },
      [self](stop_atom) { return on_stop(self); },
      [self](stop_atom, time_point due) {
        if (self->current_sender() == self->ctrl()) // our own deadline only
          on_stop_deadline(self, due);
      },
      [self](store_progress& x) {
        // From our own writer only (DESIGN §11: internal messages come from inside).
        if (self->current_sender() == self->state.store_writer.address()) {
          self->state.store_seen = x;
          hand_to_store(self); // a repair may be due now that it works
        }
      },
  };
}

} // namespace

caf::expected<supervisor_actor> spawn_supervisor(caf::actor_system& sys,
                                                 supervisor_settings settings,
                                                 supervisor_options options) {
  if (auto err = validate(settings))
    return err;
  auto store = open_store(settings.store);
  if (!store)
    return std::move(store.error());
  return spawn_supervisor(sys, std::move(settings), std::move(*store), options);
}

caf::expected<supervisor_actor> spawn_supervisor(caf::actor_system& sys,
                                                 supervisor_settings settings,
                                                 std::shared_ptr<fleet_store> store,
                                                 supervisor_options options) {
  if (auto err = validate(settings))
    return err;
  stored_fleet fleet;
  // Every start numbers its stream under a new epoch (DESIGN §14): the count of starts
  // the store recorded (one more each time) above 32 random bits, so that it rises and
  // a count the store lost (a backup restored, an unsynced Redis) is still new.
  uint64_t epoch = ((random_u64() >> 33) << 32) | (random_u64() & 0xffffffffu) | 1;
  if (store) {
    auto loaded = store->load(); // at start, before anything runs: may block
    if (!loaded)
      return std::move(loaded.error());
    fleet = std::move(*loaded);
    auto begun = store->begin_epoch();
    if (!begun)
      return std::move(begun.error());
    epoch = (*begun << 32) | (random_u64() & 0xffffffffu);
    if (epoch == 0)
      epoch = 1;
  }
  supervisor_actor handle = sys.spawn(supervisor, std::move(settings), std::move(store),
                                      std::move(fleet), epoch, options);
  return handle;
}

} // namespace vigil
