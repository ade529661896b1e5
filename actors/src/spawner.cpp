// A node's spawner (spawner.hpp): offers itself to the supervisor, starts new lives
// when asked, and ends them when it ends (DESIGN §12).
#include "vigil/actors/spawner.hpp"

#include <algorithm>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include <caf/abstract_actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/make_message.hpp>
#include <caf/message_id.hpp>
#include <caf/message_view.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/messages/log_limiter.hpp"
#include "vigil/messages/node_shutdown.hpp"

namespace vigil {

std::string to_string(offer_state x) {
  switch (x) {
  case offer_state::pending:
    return "pending";
  case offer_state::accepted:
    return "accepted";
  case offer_state::refused:
    break;
  }
  return "refused";
}

namespace {

struct spawner_state {
  static inline const char* name = "vigil.spawner";
  spawner_options opts;
  agent_factory agents; ///< One of the two factories is set.
  actor_factory actors;
  agent_facing_supervisor sup;
  spawner_view view;
  uint64_t offer_round = 0; ///< Only the answer to the latest offer counts.
  /// The lives it started, weak and unwatched (8 B a life, issue 21): pruned of the
  /// ended ones when it reaches twice its size after the last prune, and when the
  /// view is asked for. A weak address of an ended actor pins that actor's memory in
  /// CAF 0.17 until it is released, hence the bound. Watched only once it stops.
  std::vector<caf::actor_addr> lives;
  size_t prune_at = 64; ///< The size at which `lives` is pruned next.
  bool stopping = false;
  size_t ending = 0; ///< While it stops: the lives whose down it waits for.
  caf::error stop_reason;
  /// Refusals a peer can cause: a line a second per reason.
  log_limiter limiter;
  /// New lives: 20 lines a second at most (a restart storm is the supervisor's to
  /// pace, but a log must not turn into one).
  log_limiter started{std::chrono::seconds(1), 4, 20};
  std::shared_ptr<spdlog::logger> log;
};

using self_ptr = node_spawner_actor::stateful_pointer<spawner_state>;

/// The life behind `addr` while it runs, or null.
caf::strong_actor_ptr running_life(const caf::actor_addr& addr) {
  auto ptr = caf::actor_cast<caf::strong_actor_ptr>(addr);
  if (ptr && ptr->get()->getf(caf::abstract_actor::is_cleaned_up_flag))
    return nullptr; // ended; a handle elsewhere keeps it from being released
  return ptr;
}

/// Drops the lives that ended; the next prune comes at twice the size left.
void prune(spawner_state& st) {
  st.lives.erase(std::remove_if(st.lives.begin(), st.lives.end(),
                                [](auto& addr) { return !running_life(addr); }),
                 st.lives.end());
  st.prune_at = std::max<size_t>(64, 2 * st.lives.size());
}

bool from_own_node(self_ptr self) {
  auto& sender = self->current_sender();
  return sender && sender->node() == self->node();
}

/// Logs a line through `limiter` under `key`, with the count held back since the last.
template <class... Ts>
void log_limited(self_ptr self, log_limiter& limiter, spdlog::level::level_enum level,
                 const std::string& key, const char* fmt, const Ts&... xs) {
  uint64_t held = 0;
  if (!limiter.allow(key, self->clock().now(), held))
    return;
  auto text = fmt::format(fmt, xs...);
  if (held > 0)
    text += fmt::format(" ({} more like it in the last second, not logged)", held);
  self->state.log->log(level, "spawner {}: {}", self->state.opts.node, text);
}

void refuse(self_ptr self, const char* reason, const std::string& text) {
  ++self->state.view.refused;
  log_limited(self, self->state.limiter, spdlog::level::warn, reason,
              "refused a spawn request: {}", text);
}

/// Offers the spawner to the current supervisor; a refusal is never silent.
void offer(self_ptr self) {
  auto& st = self->state;
  auto round = ++st.offer_round;
  ++st.view.offers;
  st.view.offer = offer_state::pending;
  st.view.offer_error.clear();
  spawner_offer x{st.opts.node, st.opts.types, st.opts.node_key,
                  caf::actor_cast<spawner_actor>(self)};
  self->request(st.sup, st.opts.offer_timeout, std::move(x))
      .then(
          [self, round] {
            auto& st = self->state;
            if (round != st.offer_round)
              return; // answered for an earlier supervisor
            st.view.offer = offer_state::accepted;
            st.log->info("spawner {}: the supervisor accepted the offer of {} type(s)",
                         st.opts.node, st.opts.types.size());
          },
          [self, round](caf::error& err) {
            auto& st = self->state;
            if (round != st.offer_round)
              return;
            st.view.offer = offer_state::refused;
            st.view.offer_error = self->system().render(err);
            st.log->error("spawner {}: the supervisor refused its offer: {}; no "
                          "restart lands on this node until it is offered again",
                          st.opts.node, st.view.offer_error);
            if (st.opts.on_refused) {
              try {
                st.opts.on_refused(err);
              } catch (const std::exception& e) {
                st.log->error("spawner {}: on_refused threw: {}", st.opts.node,
                              e.what());
              }
            }
          });
}

/// A field the factory left at its default takes the spawner's value; another value
/// than the request's (or the node's) is an error, so no life registers as another.
caf::error fill(const spawner_state& st, const spawn_request& req, agent_options& o) {
  auto differs = [&](const char* field, const std::string& wanted,
                     const std::string& found) {
    return make_error(errc::bad_config, "agent factory for " + req.id,
                      std::string{"gave "} + field + " \"" + found + "\" where \"" +
                          wanted + "\" was asked");
  };
  if (o.id.empty())
    o.id = req.id;
  else if (o.id != req.id)
    return differs("id", req.id, o.id);
  if (o.type.empty() || o.type == agent_options{}.type)
    o.type = req.type;
  else if (o.type != req.type)
    return differs("type", req.type, o.type);
  if (o.node.empty() || o.node == agent_options{}.node)
    o.node = st.opts.node;
  else if (o.node != st.opts.node)
    return differs("node", st.opts.node, o.node);
  if (o.node_key.empty())
    o.node_key = st.opts.node_key;
  if (!o.pacer)
    o.pacer = st.opts.pacer;
  return caf::none;
}

/// Runs the factory; its exceptions become errors (a handler must not throw).
caf::expected<caf::actor> make_life(self_ptr self, const spawn_request& req) {
  auto& st = self->state;
  try {
    if (st.actors) {
      auto x = st.actors(self->system(), st.sup, req.id, req.type);
      if (x && !*x)
        return make_error(errc::bad_config, "actor factory for " + req.id,
                          std::string{"gave no actor"});
      return x;
    }
    auto o = st.agents(req.id, req.type);
    if (!o)
      return std::move(o.error());
    if (auto err = fill(st, req, *o))
      return err;
    auto a = spawn_agent(self->system(), st.sup, std::move(*o));
    if (!a)
      return std::move(a.error());
    return caf::actor_cast<caf::actor>(std::move(*a));
  } catch (const std::exception& e) {
    return caf::make_error(caf::sec::runtime_error,
                           "the factory threw: " + std::string{e.what()});
  } catch (...) {
    return caf::make_error(caf::sec::runtime_error,
                           std::string{"the factory threw a non-exception"});
  }
}

void on_request(self_ptr self, spawn_request& req) {
  auto& st = self->state;
  // The supervisor sends requests without a sender (it never sends to a peer as
  // itself, DESIGN §11), so a request from a named actor of another process is not
  // its own. An anonymous one cannot be told from the supervisor's: CAF 0.17 carries
  // no sender proof. The gate never forwards a `spawn_request`, so only the
  // supervisor's process, or a peer that learnt this spawner's handle there, can
  // reach us; the values are checked all the same.
  auto& sender = self->current_sender();
  if (sender && sender->node() != self->node()) {
    refuse(self, "sender",
           "sent by an actor of another process (" + to_string(sender->node()) +
               "), not the supervisor");
    return;
  }
  if (auto err = check_inbound(req)) {
    refuse(self, "input", self->system().render(err));
    return;
  }
  if (st.stopping) {
    refuse(self, "stopping", "a life of " + req.id + " while the spawner stops");
    return;
  }
  auto& types = st.opts.types;
  if (std::find(types.begin(), types.end(), req.type) == types.end()) {
    refuse(self, "type", "type " + req.type + " of " + req.id + " is not offered here");
    return;
  }
  auto life = make_life(self, req);
  if (!life) {
    ++st.view.failed;
    log_limited(self, st.limiter, spdlog::level::err, "factory",
                "no new life of {} (type {}, attempt {}): {}", req.id, req.type,
                req.attempt, self->system().render(life.error()));
    return;
  }
  if (st.lives.size() >= st.prune_at)
    prune(st);
  st.lives.push_back(life->address());
  ++st.view.spawned;
  log_limited(self, st.started, spdlog::level::info, "started",
              "started a new life of {} (type {}, attempt {}, after {})", req.id,
              req.type, req.attempt, req.reason);
  if (st.opts.on_spawned) {
    try {
      st.opts.on_spawned(req.id, *life);
    } catch (const std::exception& e) {
      st.log->error("spawner {}: on_spawned threw for {}: {}", st.opts.node, req.id,
                    e.what());
    }
  }
}

/// Stops taking requests and ends every life it started, in order.
void begin_stop(self_ptr self, caf::error reason) {
  auto& st = self->state;
  if (!st.stopping) {
    st.stopping = true;
    st.stop_reason = std::move(reason);
    prune(st);
    // Watched from now on: each down counts one off, the last one ends the spawner
    // (a life that ends in between gets its down at once).
    st.ending = st.lives.size();
    for (auto& addr : st.lives) {
      self->monitor(addr);
      self->send_exit(addr, node_shutdown_reason(st.opts.node));
    }
    st.log->info("spawner {}: stopping; ending {} li{} it started", st.opts.node,
                 st.ending, st.ending == 1 ? "fe" : "ves");
  }
  if (st.ending == 0)
    self->quit(st.stop_reason);
}

node_spawner_actor::behavior_type spawner(self_ptr self,
                                          agent_facing_supervisor supervisor,
                                          spawner_options opts, agent_factory agents,
                                          actor_factory actors) {
  auto& st = self->state;
  st.opts = std::move(opts);
  st.agents = std::move(agents);
  st.actors = std::move(actors);
  st.sup = std::move(supervisor);
  st.view.node = st.opts.node;
  st.view.types = st.opts.types;
  st.log = log();
  // Only the lives it watches once it stops send downs.
  self->set_down_handler([self](caf::down_msg&) {
    auto& st = self->state;
    if (st.stopping && st.ending > 0 && --st.ending == 0)
      self->quit(st.stop_reason);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // Its handle went to the supervisor's process: an exit from there (or one routed
    // through it) must not end this node's lives. CAF quits on `kill` before any
    // handler runs; nothing here can stop that.
    if (msg.source && msg.source.node() != self->node()) {
      log_limited(self, self->state.limiter, spdlog::level::warn, "exit",
                  "ignored an exit message from another process ({})",
                  to_string(msg.source.node()));
      return;
    }
    begin_stop(self, std::move(msg.reason));
  });
  // Its handle went to the supervisor's process: what else arrives from there is
  // dropped with a line a second, not printed once per message by CAF's default.
  self->set_default_handler(
      [](caf::scheduled_actor* ptr, caf::message_view&) -> caf::result<caf::message> {
        auto self = static_cast<self_ptr>(ptr);
        log_limited(self, self->state.limiter, spdlog::level::warn, "unexpected",
                    "dropped a message it does not take");
        return caf::sec::unexpected_message;
      });
  offer(self);
  return {
      [self](spawn_request& req) { on_request(self, req); },
      [self](supervisor_atom, agent_facing_supervisor& sup) {
        auto& st = self->state;
        if (!sup || st.stopping)
          return;
        if (!from_own_node(self)) {
          log_limited(self, st.limiter, spdlog::level::warn, "supervisor",
                      "ignored a supervisor handle from {}: only its node's uplink "
                      "hands it one",
                      self->current_sender() ? "another process"
                                             : "an anonymous sender");
          return;
        }
        st.sup = std::move(sup);
        offer(self);
        // Its lives register again with it (the uplink hands it to the agents it was
        // given; these it was not). Restarted lives are few beside a node's launch
        // agents, so they get it at once rather than spread out.
        for (auto& addr : st.lives)
          if (auto life = running_life(addr))
            // As itself (a typed actor cannot `send` to an untyped one): a life
            // takes a new supervisor only from a named actor of its node.
            life->enqueue(
                caf::actor_cast<caf::strong_actor_ptr>(self), caf::make_message_id(),
                caf::make_message(supervisor_atom::value, st.sup), self->context());
      },
      [self](get_atom) -> caf::result<spawner_view> {
        if (!from_own_node(self))
          return make_error(errc::unauthorized, std::string{"spawner view"},
                            std::string{"only for actors of the spawner's own node"});
        prune(self->state);
        auto v = self->state.view;
        v.running = static_cast<uint32_t>(self->state.lives.size());
        return v;
      },
  };
}

caf::error check_options(const spawner_options& o, bool has_supervisor,
                         bool has_factory) {
  auto bad = [&](std::string why) {
    return make_error(errc::bad_config, "spawner " + o.node, std::move(why));
  };
  if (!has_supervisor)
    return bad("has no supervisor handle");
  if (!has_factory)
    return bad("has no factory");
  if (auto err = check_name("spawner node", o.node))
    return err;
  if (o.types.empty() || o.types.size() > max_offer_types)
    return bad("offers " + std::to_string(o.types.size()) + " types (1 to " +
               std::to_string(max_offer_types) + ")");
  for (auto& t : o.types)
    if (auto err = check_name("spawner type", t))
      return err;
  if (o.offer_timeout <= duration::zero())
    return bad("offer_timeout must be positive");
  return caf::none;
}

} // namespace

caf::expected<node_spawner_actor> spawn_spawner(caf::actor_system& sys,
                                                agent_facing_supervisor supervisor,
                                                spawner_options options,
                                                agent_factory factory) {
  if (auto err = check_options(options, static_cast<bool>(supervisor),
                               static_cast<bool>(factory)))
    return err;
  return sys.spawn(spawner, std::move(supervisor), std::move(options),
                   std::move(factory), actor_factory{});
}

caf::expected<node_spawner_actor> spawn_spawner(caf::actor_system& sys,
                                                agent_facing_supervisor supervisor,
                                                spawner_options options,
                                                actor_factory factory) {
  if (auto err = check_options(options, static_cast<bool>(supervisor),
                               static_cast<bool>(factory)))
    return err;
  return sys.spawn(spawner, std::move(supervisor), std::move(options), agent_factory{},
                   std::move(factory));
}

} // namespace vigil
