// Every agent's link to its supervisor and pacer (agent_core.hpp): registering at start
// and again after a reconnect, joining and losing the pacer (DESIGN §3, §4, §7).
#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/logger.h>

#include "agent_core.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/interned.hpp"
#include "vigil/messages/log.hpp"

namespace vigil::detail::agent {

/// Registers with the current supervisor: at start, and again with the state and
/// version it kept whenever a node's uplink hands it a new supervisor (DESIGN §7).
void register_self(actor_ptr self, agent_core& st, idle_hook on_idle) {
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
          [self, core = &st, round, on_idle](registration_ack& ack) {
            auto& st = *core;
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
                join_pacer(self, st);
              return;
            }
            if (auto err = enter(self, st, change{agent_state::idle, "registered"})) {
              agent_log().error("agent {}: {}", st.id, self->system().render(err));
              return;
            }
            // Registration counts as the first beat (DESIGN §5).
            if (st.pacer)
              join_pacer(self, st);
            else
              arm_own_beat(self, st);
            if (on_idle)
              on_idle(self, st);
          },
          [self, core = &st, round, on_idle](caf::error& err) {
            auto& st = *core;
            if (round != st.registration_round || is_terminal(st.current))
              return;
            auto text = self->system().render(err);
            auto code = code_of(err);
            if ((code == errc::duplicate_agent || code == errc::unauthorized) &&
                !st.token.empty() && !st.retried_with_token) {
              st.retried_with_token = true; // our own first life: register as it
              register_self(self, st, on_idle);
              return;
            }
            // `superseded`: a newer life of the id was started while this one was
            // away (a restart, DESIGN §12); no token of ours can change that, so it
            // is not retried: this life ends.
            if (code != errc::duplicate_agent && code != errc::not_owner &&
                code != errc::invalid_request && code != errc::unauthorized &&
                code != errc::bad_input && code != errc::superseded) {
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
            end(self, st, agent_state::failed, "registration_refused", text, false);
          });
}

void lose_pacer(actor_ptr self, agent_core& st, const std::string& why) {
  if (!st.pacer)
    return;
  // The pacer logs once for all its agents; one line per agent would be a million.
  agent_log().debug("agent {} lost its pacer ({}); beats by itself", st.id, why);
  st.pacer = nullptr;
  st.pacer_slot = no_pacer_slot;
  if (st.current != agent_state::spawning)
    arm_own_beat(self, st);
}

void join_pacer(actor_ptr self, agent_core& st) {
  if (st.joining) { // one join at a time: the next one must name our slot
    st.join_again = true;
    return;
  }
  st.joining = true;
  auto pacer = st.pacer;
  self->request(pacer, caf::infinite, pace_atom::value, st.key, st.beat_secret,
                st.settings.heartbeat_interval, st.pacer_slot)
      .then(
          [self, core = &st, pacer](uint32_t slot) {
            auto& st = *core;
            st.joining = false;
            if (st.pacer != pacer)
              return; // lost meanwhile: we beat by ourselves
            st.pacer_slot = slot;
            if (st.join_again) {
              st.join_again = false;
              join_pacer(self, st);
            }
          },
          [self, core = &st, pacer](caf::error& err) {
            auto& st = *core;
            st.joining = false;
            st.join_again = false;
            if (st.pacer == pacer)
              lose_pacer(self, st, self->system().render(err));
          });
}

/// A supervisor handle after a reconnect: talk to it from now on, and register again.
void rejoin(actor_ptr self, agent_core& st, agent_facing_supervisor sup,
            idle_hook on_idle) {
  if (!sup || is_terminal(st.current))
    return;
  if (!from_own_node(self)) {
    agent_log().warn("agent {}: ignored a supervisor handle from {}: only its node's "
                     "uplink hands it one",
                     st.id,
                     self->current_sender() ? "another node" : "an anonymous sender");
    return;
  }
  // Not compared with the old handle: CAF handles compare by node and actor id, so
  // the proxy of a new connection to the same supervisor looks like the old one.
  agent_log().debug("agent {}: registering again with its supervisor", st.id);
  st.supervisor = std::move(sup);
  register_self(self, st, on_idle);
}

} // namespace vigil::detail::agent
