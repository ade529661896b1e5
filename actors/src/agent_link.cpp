// The agent's link to its supervisor: registering at start and again after a
// reconnect, and spawning (DESIGN §3, §7).
#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/logger.h>

#include "agent_state.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/interned.hpp"
#include "vigil/messages/log.hpp"

namespace vigil {

namespace detail::agent {

/// Registers with the current supervisor: at start, and again with the state and
/// version it kept whenever a node's uplink hands it a new supervisor (DESIGN §7).
void register_self(self_ptr self) {
  auto& st = self->state;
  registration reg{st.id,
                   *st.type,
                   *st.node,
                   st.current,
                   st.version,
                   st.token,
                   credential{st.node_key ? *st.node_key : std::string{}}};
  auto round = ++st.registration_round;
  self->request(st.supervisor, caf::infinite, std::move(reg))
      .then(
          [self, round](registration_ack& ack) {
            auto& st = self->state;
            if (is_terminal(st.current))
              return;
            if (round != st.registration_round) {
              // The answer to an earlier registration. If it gave us our life (a
              // reconnect came before it), keep its proof: the later registration,
              // sent without it, is refused as a duplicate, and we show it then.
              if (st.token.empty()) {
                st.key = ack.key;
                st.token = ack.token;
                st.beat_secret = ack.beat_secret;
              }
              return;
            }
            st.key = ack.key;
            st.token = ack.token;
            st.beat_secret = ack.beat_secret;
            st.retried_with_token = false;
            // One source of heartbeat settings: the supervisor's (DESIGN §11).
            if (ack.heartbeat_interval >
                duration::zero()) // at most 1,000 beats a second
              st.settings.heartbeat_interval = std::max<duration>(
                  ack.heartbeat_interval, std::chrono::milliseconds(1));
            if (st.current != agent_state::spawning) {
              agent_log().info("agent {} registered again as {} (version {})", st.id,
                               to_string(st.current), st.version);
              if (st.pacer) // beating goes on as before, with the new key
                join_pacer(self);
              return;
            }
            if (auto err = enter(self, change{agent_state::idle, "registered"})) {
              agent_log().error("agent {}: {}", st.id, self->system().render(err));
              return;
            }
            // Registration counts as the first beat (DESIGN §5).
            if (st.pacer)
              join_pacer(self);
            else
              arm_own_beat(self);
            take_next(self);
          },
          [self, round](caf::error& err) {
            auto& st = self->state;
            if (round != st.registration_round || is_terminal(st.current))
              return;
            auto text = self->system().render(err);
            auto code = code_of(err);
            if ((code == errc::duplicate_agent || code == errc::unauthorized) &&
                !st.token.empty() && !st.retried_with_token) {
              st.retried_with_token = true; // our own first life: register as it
              register_self(self);
              return;
            }
            if (code != errc::duplicate_agent && code != errc::not_owner &&
                code != errc::invalid_request && code != errc::unauthorized &&
                code != errc::bad_input) {
              // Not a refusal: the connection went (or the supervisor is stopping).
              // Keep everything and register again when handed a supervisor.
              agent_log().warn(
                  "agent {}: registration did not reach the supervisor ({}); "
                  "keeps {} and waits for a new connection",
                  st.id, text, to_string(st.current));
              return;
            }
            text = "registration refused: " + text;
            agent_log().error("agent {}: {}", st.id, text);
            end(self, agent_state::failed, "registration_refused", text, false);
          });
}

void lose_pacer(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (!st.pacer)
    return;
  // The pacer logs once for all its agents; one line per agent would be a million.
  agent_log().debug("agent {} lost its pacer ({}); beats by itself", st.id, why);
  st.pacer = nullptr;
  st.pacer_slot = no_pacer_slot;
  if (st.current != agent_state::spawning)
    arm_own_beat(self);
}

void join_pacer(self_ptr self) {
  auto& st = self->state;
  if (st.joining) { // one join at a time: the next one must name our slot
    st.join_again = true;
    return;
  }
  st.joining = true;
  auto pacer = st.pacer;
  self->request(pacer, caf::infinite, pace_atom::value, st.key, st.beat_secret,
                st.settings.heartbeat_interval, st.pacer_slot)
      .then(
          [self, pacer](uint32_t slot) {
            auto& st = self->state;
            st.joining = false;
            if (st.pacer != pacer)
              return; // lost meanwhile: we beat by ourselves
            st.pacer_slot = slot;
            if (st.join_again) {
              st.join_again = false;
              join_pacer(self);
            }
          },
          [self, pacer](caf::error& err) {
            auto& st = self->state;
            st.joining = false;
            st.join_again = false;
            if (st.pacer == pacer)
              lose_pacer(self, self->system().render(err));
          });
}

/// A supervisor handle after a reconnect: talk to it from now on, and register again.
void rejoin(self_ptr self, agent_facing_supervisor sup) {
  auto& st = self->state;
  if (!sup || is_terminal(st.current))
    return;
  // Not compared with the old handle: CAF handles compare by node and actor id, so
  // the proxy of a new connection to the same supervisor looks like the old one.
  agent_log().debug("agent {}: registering again with its supervisor", st.id);
  st.supervisor = std::move(sup);
  register_self(self);
}

} // namespace detail::agent

namespace {

using namespace detail::agent;

caf::behavior agent_impl(self_ptr self, agent_facing_supervisor supervisor,
                         agent_options opts) {
  auto& st = self->state;
  st.id = std::move(opts.id);
  st.type = interned_name{opts.type};
  st.node = interned_name{opts.node};
  st.settings = opts.settings;
  st.worker = std::move(opts.worker);
  st.pacer = std::move(opts.pacer);
  if (!opts.node_key.empty())
    st.node_key = interned_name{opts.node_key.secret};
  st.supervisor = std::move(supervisor);
  // Not monitored: losing the supervisor changes nothing here. The agent keeps its
  // state and work until it is handed a new one (`supervisor_atom`), then registers
  // again; the node's uplink says once that the connection went, where a million
  // agents would each say it (and each monitor costs about 50 B). Nor is the pacer:
  // it says so itself when it ends (`pace_atom, its address`).
  self->set_default_handler(by_state);
  register_self(self);
  return held_behaviour();
}

} // namespace

caf::expected<agent_actor> spawn_agent(caf::actor_system& sys,
                                       agent_facing_supervisor supervisor,
                                       agent_options options) {
  if (options.id.empty())
    return make_error(errc::bad_config, std::string{"agent id"},
                      std::string{"is empty"});
  if (!supervisor)
    return make_error(errc::bad_config, "agent " + options.id,
                      std::string{"has no supervisor handle"});
  if (auto err = validate(options.settings))
    return err;
  // The behaviours are dynamic (one per state, beside the tick); the typed handle
  // states the contract every one of them honours.
  auto untyped = sys.spawn(agent_impl, std::move(supervisor), std::move(options));
  return caf::actor_cast<agent_actor>(std::move(untyped));
}

} // namespace vigil
