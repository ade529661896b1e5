// The gate (DESIGN §11): checks what peers send, forwards it on their behalf, and
// answers them itself, so that the supervisor never sends to a peer as itself (CAF
// 0.17.6 makes any actor that sends to a peer reachable by its id, and ids are
// sequential).
#include "vigil/nodes/gate.hpp"

#include <unordered_map>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/message_handler.hpp>
#include <caf/response_promise.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/messages/log_limiter.hpp"

namespace vigil {

namespace {

// -- a subscription relay: one per remote subscriber -----------------------------

struct relay_state {
  static inline const char* name = "vigil.gate.subscription";
};

/// Subscribes to the supervisor as itself and passes everything on to `peer`
/// anonymously, in the order the supervisor sent it: the snapshot (as the answer to
/// the peer's request, through `rp`), then batches and resync snapshots. Ends with the
/// peer, or on `unsubscribe_atom` from the gate.
caf::behavior subscription_relay(caf::stateful_actor<relay_state>* self,
                                 supervisor_actor sup, caf::actor peer,
                                 subscription_request req, caf::response_promise rp) {
  self->monitor(peer);
  self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  self->request(sup, caf::infinite, std::move(req))
      .then([rp](snapshot& snap) mutable { rp.deliver(std::move(snap)); },
            [self, rp](caf::error& err) mutable {
              rp.deliver(std::move(err));
              self->quit();
            });
  return {
      [peer](event_batch& b) { caf::anon_send(peer, std::move(b)); },
      [peer](snapshot& s) { caf::anon_send(peer, std::move(s)); },
      [self, sup](ack_atom, uint64_t seq) { self->send(sup, ack_atom::value, seq); },
      [self, sup](caf::unsubscribe_atom) {
        self->send(sup, caf::unsubscribe_atom::value);
        self->quit();
      },
  };
}

// -- the gate --------------------------------------------------------------------

/// Stops a gate from inside its process (a type no peer can send: it is not
/// registered for serialization).
struct gate_stop {};

struct gate_state {
  static inline const char* name = "vigil.gate";
  supervisor_actor sup;
  secret_digest commander;
  duration keepalive{0};
  size_t max_subscribers = 0;
  size_t max_in_flight = 0;
  size_t in_flight = 0; ///< Requests forwarded, not answered yet.
  /// Failed commands in the current second: past `max_failed_commands`, commands are
  /// refused unchecked until the second is over (no online guessing of credentials).
  time_point failures_since;
  uint32_t failures = 0;
  /// Subscriber (a peer's actor) -> its relay; at most `max_subscribers`.
  std::unordered_map<caf::actor_addr, caf::actor> relays;
  /// Relay -> its subscriber: a relay that ends is forgotten by its own address.
  std::unordered_map<caf::actor_addr, caf::actor_addr> subscriber_of;
  log_limiter limiter;
  log_limiter commands{std::chrono::seconds(1), 64, 20}; ///< Accepted ones, logged.
  std::shared_ptr<spdlog::logger> log;
};

using self_ptr = caf::stateful_actor<gate_state>*;

/// Who sent the current message, for logs: its node (forgeable; it only groups lines).
std::string peer_of(self_ptr self) {
  auto& s = self->current_sender();
  return s ? to_string(s->node()) : std::string{"anonymous"};
}

/// Logs a refusal once a second per peer and reason, with a count of what was held
/// back.
void refused(self_ptr self, const std::string& reason, const std::string& text) {
  auto peer = peer_of(self);
  uint64_t held = 0;
  if (!self->state.limiter.allow(peer + "|" + reason, self->clock().now(), held))
    return;
  if (held > 0)
    self->state.log->error("gate: from {}: {} ({} more like it in the last second, not "
                           "logged)",
                           peer, text, held);
  else
    self->state.log->error("gate: from {}: {}", peer, text);
}

/// The error as a refusal: logged, then answered.
caf::error refuse(self_ptr self, const std::string& reason, caf::error err) {
  refused(self, reason, self->system().render(err));
  return err;
}

/// Forwards a message with no answer, keeping its sender (the supervisor reads it to
/// watch an agent that comes back).
template <class T>
void pass_on(self_ptr self, T&& x) {
  auto& sup = self->state.sup;
  sup->enqueue(self->current_sender(), caf::make_message_id(),
               caf::make_message(std::forward<T>(x)), self->context());
}

/// Whether another request may go to the supervisor now; else the promise gets the
/// refusal.
bool may_ask(self_ptr self, caf::response_promise& rp) {
  auto& st = self->state;
  if (st.in_flight < st.max_in_flight) {
    ++st.in_flight;
    return true;
  }
  rp.deliver(refuse(self, "busy",
                    make_error(errc::invalid_request, std::string{"gate"},
                               std::string{"forward a request"},
                               std::to_string(st.in_flight) + " requests in flight",
                               "fewer than " + std::to_string(st.max_in_flight))));
  return false;
}

/// Asks the supervisor and answers the peer ourselves.
template <class Answer, class... Ts>
caf::response_promise ask(self_ptr self, Ts&&... xs) {
  auto rp = self->make_response_promise();
  if (!may_ask(self, rp))
    return rp;
  self->request(self->state.sup, caf::infinite, std::forward<Ts>(xs)...)
      .then(
          [self, rp](Answer& x) mutable {
            --self->state.in_flight;
            rp.deliver(std::move(x));
          },
          [self, rp](caf::error& err) mutable {
            --self->state.in_flight;
            rp.deliver(std::move(err));
          });
  return rp;
}

template <class... Ts>
caf::response_promise ask_void(self_ptr self, Ts&&... xs) {
  auto rp = self->make_response_promise();
  if (!may_ask(self, rp))
    return rp;
  self->request(self->state.sup, caf::infinite, std::forward<Ts>(xs)...)
      .then(
          [self, rp]() mutable {
            --self->state.in_flight;
            rp.deliver(caf::unit);
          },
          [self, rp](caf::error& err) mutable {
            --self->state.in_flight;
            rp.deliver(std::move(err));
          });
  return rp;
}

/// Failed commands a gate takes per second before it refuses the rest unchecked.
constexpr uint32_t max_failed_commands = 10;

/// A command with its credential: forwarded only when it is the commander's.
template <class Atom>
caf::result<void> command(self_ptr self, Atom verb, const char* name, std::string& id,
                          const credential& cred) {
  auto& st = self->state;
  if (st.commander.empty())
    return refuse(self, "command",
                  make_error(errc::unauthorized, std::string{name} + " " + id,
                             std::string{"no commander credential is configured on "
                                         "this supervisor"}));
  auto now = self->clock().now();
  if (now - st.failures_since >= std::chrono::seconds(1)) {
    st.failures_since = now;
    st.failures = 0;
  }
  if (st.failures >= max_failed_commands)
    return refuse(self, "command",
                  make_error(errc::unauthorized, std::string{name} + " " + id,
                             std::string{"too many failed commands; try again in a "
                                         "second"}));
  if (cred.secret.size() > max_credential_bytes ||
      !matches(st.commander, digest_of(cred.secret))) {
    ++st.failures;
    return refuse(self, "command",
                  make_error(errc::unauthorized, std::string{name} + " " + id,
                             std::string{"not the commander credential"}));
  }
  if (auto err = check_name("command id", id))
    return refuse(self, "input", std::move(err));
  // Credentialed, and still a peer's doing: 20 lines a second per peer at most.
  auto peer = peer_of(self);
  uint64_t held = 0;
  if (st.commands.allow(peer, self->clock().now(), held)) {
    if (held > 0)
      st.log->info("gate: {} {} by a commander from {} ({} more commands in the last "
                   "second, not logged)",
                   name, id, peer, held);
    else
      st.log->info("gate: {} {} by a commander from {}", name, id, peer);
  }
  return ask_void(self, verb, std::move(id));
}

caf::behavior gate(self_ptr self, supervisor_actor sup, gate_options opts) {
  auto& st = self->state;
  st.sup = std::move(sup);
  st.commander = digest_of(opts.commander.secret);
  st.keepalive = opts.keepalive;
  st.max_subscribers = opts.max_subscribers;
  st.max_in_flight = opts.max_in_flight;
  st.log = log();
  self->monitor(st.sup);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source == st.sup.address()) {
      for (auto& [peer, relay] : st.relays)
        caf::anon_send_exit(relay, caf::exit_reason::user_shutdown);
      self->quit(dm.reason);
      return;
    }
    // A relay ended (its peer went, or the supervisor refused it).
    if (auto i = st.subscriber_of.find(dm.source); i != st.subscriber_of.end()) {
      if (auto r = st.relays.find(i->second);
          r != st.relays.end() && r->second.address() == dm.source)
        st.relays.erase(r);
      st.subscriber_of.erase(i);
    }
  });

  self->set_default_handler(
      [](caf::scheduled_actor* ptr, caf::message_view&) -> caf::result<caf::message> {
        auto self = static_cast<self_ptr>(ptr);
        refused(self, "unexpected",
                "a message a peer may not send (or not in that shape), dropped");
        return caf::sec::unexpected_message;
      });
  return {
      // Agent nodes.
      [self](registration& reg) -> caf::result<registration_ack> {
        if (auto err = check_inbound(reg))
          return refuse(self, "input", std::move(err));
        auto agent = caf::actor_cast<caf::actor>(self->current_sender());
        if (!agent)
          return refuse(
              self, "anonymous",
              make_error(errc::not_owner, std::string{"anonymous registration"}));
        return ask<registration_ack>(self, std::move(reg), std::move(agent));
      },
      [self](heartbeat& x) {
        if (auto err = check_inbound(x))
          refuse(self, "input", std::move(err));
        else
          pass_on(self, std::move(x));
      },
      [self](beat_batch& x) {
        if (auto err = check_inbound(x))
          refuse(self, "input", std::move(err));
        else
          pass_on(self, std::move(x));
      },
      [self](transition_report& x) -> caf::result<void> {
        if (auto err = check_inbound(x))
          return refuse(self, "input", std::move(err));
        return ask_void(self, std::move(x));
      },
      [self](activity_report& x) {
        if (auto err = check_inbound(x))
          refuse(self, "input", std::move(err));
        else
          pass_on(self, std::move(x));
      },
      [self](child_report& x) {
        if (auto err = check_inbound(x))
          refuse(self, "input", std::move(err));
        else
          pass_on(self, std::move(x));
      },
      // A node offers only its own spawner (DESIGN §11, §12): the offer comes from an
      // actor of the spawner's node, which is not ours (a peer must not make the
      // supervisor ask a local actor it named by id). The sender's node is forgeable;
      // what proves the node is its key, which the supervisor checks.
      [self](spawner_offer& x) -> caf::result<void> {
        if (auto err = check_inbound(x))
          return refuse(self, "input", std::move(err));
        auto& sender = self->current_sender();
        if (!sender)
          return refuse(self, "anonymous",
                        make_error(errc::unauthorized, std::string{"spawner offer"},
                                   std::string{"it has no sender"}));
        auto where = x.spawner.node();
        if (where == self->node() || where != sender->node())
          return refuse(
              self, "input",
              make_error(errc::bad_input, std::string{"spawner_offer spawner"},
                         "an actor of the offering node " + to_string(sender->node()),
                         "one of node " + to_string(where)));
        return ask_void(self, std::move(x));
      },
      // Observers.
      [self](status_atom, std::string& id) -> caf::result<agent_status> {
        if (auto err = check_name("status id", id))
          return refuse(self, "input", std::move(err));
        return ask<agent_status>(self, status_atom::value, std::move(id));
      },
      [self](status_atom) -> caf::result<std::vector<agent_status>> {
        return ask<std::vector<agent_status>>(self, status_atom::value);
      },
      [self](count_atom) -> caf::result<fleet_counts> {
        return ask<fleet_counts>(self, count_atom::value);
      },
      [self](metrics_atom) -> caf::result<fleet_metrics> {
        return ask<fleet_metrics>(self, metrics_atom::value);
      },
      [self](page_atom, agent_query& q) -> caf::result<agent_page> {
        if (auto err = check_inbound(q))
          return refuse(self, "input", std::move(err));
        return ask<agent_page>(self, page_atom::value, std::move(q));
      },
      [self](detail_atom, std::string& id) -> caf::result<agent_detail> {
        if (auto err = check_name("detail id", id))
          return refuse(self, "input", std::move(err));
        return ask<agent_detail>(self, detail_atom::value, std::move(id));
      },
      [self](nodes_atom) -> caf::result<std::vector<node_summary>> {
        return ask<std::vector<node_summary>>(self, nodes_atom::value);
      },
      [self](stats_atom) -> caf::result<supervisor_stats> {
        return ask<supervisor_stats>(self, stats_atom::value);
      },
      [self](subscription_request& req) -> caf::result<snapshot> {
        auto& st = self->state;
        auto peer = caf::actor_cast<caf::actor>(self->current_sender());
        if (!peer)
          return refuse(
              self, "anonymous",
              make_error(errc::not_owner, std::string{"anonymous subscriber"}));
        if (auto old = st.relays.find(peer.address()); old != st.relays.end()) {
          caf::anon_send_exit(old->second, caf::exit_reason::user_shutdown);
          st.subscriber_of.erase(old->second.address());
          st.relays.erase(old); // subscribing again: the new one replaces it
        }
        if (st.relays.size() >= st.max_subscribers)
          return refuse(self, "subscribers",
                        make_error(errc::invalid_request, std::string{"gate"},
                                   std::string{"subscribe"},
                                   std::to_string(st.relays.size()) + " subscribers",
                                   "fewer than " + std::to_string(st.max_subscribers)));
        auto rp = self->make_response_promise();
        auto relay = self->spawn(subscription_relay, st.sup, peer, std::move(req), rp);
        self->monitor(relay);
        st.subscriber_of.emplace(relay.address(), peer.address());
        st.relays.emplace(peer.address(), std::move(relay));
        return rp;
      },
      [self](ack_atom, uint64_t seq) {
        auto& st = self->state;
        auto i =
            st.relays.find(caf::actor_cast<caf::actor_addr>(self->current_sender()));
        if (i != st.relays.end())
          self->send(i->second, ack_atom::value, seq);
      },
      [self](caf::unsubscribe_atom) {
        auto& st = self->state;
        auto i =
            st.relays.find(caf::actor_cast<caf::actor_addr>(self->current_sender()));
        if (i != st.relays.end()) {
          self->send(i->second, caf::unsubscribe_atom::value);
          st.subscriber_of.erase(i->second.address());
          st.relays.erase(i);
        }
      },
      // Commanders.
      [self](kill_atom, std::string& id, credential& cred) {
        return command(self, kill_atom::value, "kill", id, cred);
      },
      [self](pause_atom, std::string& id, credential& cred) {
        return command(self, pause_atom::value, "pause", id, cred);
      },
      [self](resume_atom, std::string& id, credential& cred) {
        return command(self, resume_atom::value, "resume", id, cred);
      },
      // Every node.
      [self](pace_atom) { return self->state.keepalive; },
      [](keepalive_atom) {},
      [self](gate_stop) { self->quit(caf::exit_reason::user_shutdown); },
  };
}

/// The gate's actor: drops every exit message before CAF sees it. A peer can name the
/// gate (it is published), and CAF 0.17 quits on an exit message with reason `kill`
/// before any exit handler runs. The gate ends with its supervisor, or on `gate_stop`.
class gate_actor : public caf::stateful_actor<gate_state> {
public:
  gate_actor(caf::actor_config& cfg, supervisor_actor sup, gate_options opts)
      : caf::stateful_actor<gate_state>(cfg), sup_(std::move(sup)),
        opts_(std::move(opts)) {}

  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* eu) override {
    if (ptr && ptr->content().match_elements<caf::exit_msg>())
      return;
    caf::stateful_actor<gate_state>::enqueue(std::move(ptr), eu);
  }

  caf::behavior make_behavior() override {
    return gate(this, std::move(sup_), std::move(opts_));
  }

private:
  supervisor_actor sup_;
  gate_options opts_;
};

} // namespace

void stop_gate(const supervisor_gate& g) {
  caf::anon_send(caf::actor_cast<caf::actor>(g), gate_stop{});
}

caf::expected<supervisor_gate>
spawn_gate(caf::actor_system& sys, supervisor_actor supervisor, gate_options options) {
  auto bad = [](const char* what, std::string why) {
    return make_error(errc::bad_config, std::string{what}, std::move(why));
  };
  if (!supervisor)
    return bad("gate", "has no supervisor");
  if (options.keepalive <= duration::zero())
    return bad("gate keepalive", "must be positive");
  if (options.max_subscribers == 0)
    return bad("gate max_subscribers", "must be at least 1");
  if (options.max_in_flight == 0)
    return bad("gate max_in_flight", "must be at least 1");
  auto n = options.commander.secret.size();
  if (n > 0 && (n < min_credential_bytes || n > max_credential_bytes))
    return bad("commander credential",
               "must be " + std::to_string(min_credential_bytes) + " to " +
                   std::to_string(max_credential_bytes) + " bytes, is " +
                   std::to_string(n));
  auto untyped = sys.spawn<gate_actor>(std::move(supervisor), std::move(options));
  return caf::actor_cast<supervisor_gate>(std::move(untyped));
}

} // namespace vigil
