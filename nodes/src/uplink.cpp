#include "vigil/nodes/uplink.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/logger.h>

#include "vigil/messages/backoff.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/nodes/detail/member_list.hpp"

namespace vigil {

namespace {

using retry_atom = caf::atom_constant<caf::atom("up_retry")>;
using rejoin_atom = caf::atom_constant<caf::atom("up_rejoin")>;
using keep_atom = caf::atom_constant<caf::atom("up_keep")>;

/// The uplink as it is implemented: its public interface plus its own timers, which
/// carry the number of the connection they belong to (a timer of an earlier one is
/// stale):
/// - `retry_atom`: the next connection attempt;
/// - `rejoin_atom, agent, connection`: this agent's turn to get the supervisor after
///   a reconnect;
/// - `keep_atom, connection`: the next keepalive.
using uplink_impl =
    uplink_actor::extend<caf::reacts_to<retry_atom>,
                         caf::reacts_to<rejoin_atom, agent_actor, uint64_t>,
                         caf::reacts_to<keep_atom, uint64_t>>;

struct uplink_state {
  static inline const char* name = "vigil.uplink";
  uplink_options opts;
  agent_facing_supervisor sup; ///< Null while not connected.
  uint64_t connections = 0;    ///< Successful connects so far.
  bool connecting = false;     ///< One attempt at a time (the middleman blocks).
  bool retry_armed = false;
  /// Pauses between failed attempts (its failures: since the last connect); made
  /// from `opts` at spawn.
  backoff retry{duration::zero(), duration::zero()};
  /// How often the supervisor wants to hear from us (its `pace_atom` answer): zero
  /// until it said so. Kept up while connected, even with no agents.
  duration keepalive{0};
  detail::member_list<agent_actor> agents;
  detail::member_list<pacer_actor> pacers;
  detail::member_list<node_spawner_actor> spawners;
  /// `get_atom` before a connection: answered when it comes, or with an error when
  /// the uplink ends first.
  std::vector<caf::response_promise> waiting;
  std::minstd_rand rng{std::random_device{}()};
  std::shared_ptr<spdlog::logger> log;
};

using self_ptr = uplink_impl::stateful_pointer<uplink_state>;

std::string where(self_ptr self) {
  return self->state.opts.host + ":" + std::to_string(self->state.opts.port);
}

/// A pause in [d/2, d]: full jitter on the upper half.
duration jittered(self_ptr self, duration d) {
  std::uniform_int_distribution<duration::rep> pick{d.count() / 2, d.count()};
  return duration{pick(self->state.rng)};
}

void connect(self_ptr self);

void retry_later(self_ptr self) {
  auto& st = self->state;
  if (st.retry_armed)
    return;
  st.retry_armed = true;
  self->delayed_send(self, jittered(self, st.retry.next()), retry_atom::value);
}

/// Sends the supervisor something every `keepalive`, so that its connection timeout
/// (its settings, not ours) never drops a node that has nothing else to say (DESIGN
/// §11: one source of heartbeat settings).
void keep_alive(self_ptr self, uint64_t connection) {
  auto& st = self->state;
  if (!st.sup || connection != st.connections || st.keepalive <= duration::zero())
    return; // a timer of an earlier connection
  caf::anon_send(caf::actor_cast<caf::actor>(st.sup), keepalive_atom::value);
  self->delayed_send(self, st.keepalive, keep_atom::value, connection);
}

void ask_pace(self_ptr self) {
  auto& st = self->state;
  auto connection = st.connections;
  self->request(caf::actor_cast<caf::actor>(st.sup), st.opts.connect_timeout,
                pace_atom::value)
      .then(
          [self, connection](duration every) {
            auto& st = self->state;
            if (connection != st.connections || every <= duration::zero())
              return;
            // Never busier than 10 a second, whatever a supervisor asks.
            every = std::max<duration>(every, std::chrono::milliseconds(100));
            bool first = st.keepalive <= duration::zero();
            st.keepalive = every;
            st.log->debug("uplink: the supervisor wants to hear from us every {}",
                          format_duration(every));
            if (first)
              keep_alive(self, connection);
          },
          [self](caf::error& err) {
            // An older supervisor (no gate), or a slow answer: the connection heartbeat
            // of this node's own settings is all that keeps the link up then.
            self->state.log->warn("uplink: the supervisor names no pace ({}); no "
                                  "keepalive: give this node the supervisor's settings",
                                  self->system().render(err));
          });
}

void connected(self_ptr self, agent_facing_supervisor sup) {
  auto& st = self->state;
  st.sup = std::move(sup);
  st.keepalive = duration::zero();
  self->monitor(st.sup);
  bool again = st.connections++ > 0;
  st.log->info("uplink: connected to the supervisor at {}{}", where(self),
               again ? " again; agents register again" : "");
  st.retry.reset();
  ask_pace(self);
  for (auto& rp : st.waiting)
    rp.deliver(st.sup);
  st.waiting.clear();
  for (auto& p : st.pacers)
    self->send(p, supervisor_atom::value, caf::actor_cast<beat_sink>(st.sup));
  // At once, not spread: a node has one spawner or a few, and until it offers itself
  // again no restart can land on this node.
  if (again)
    for (auto& sp : st.spawners)
      self->send(sp, supervisor_atom::value, st.sup);
  // Registering again, spread out (DESIGN §4: jitter). Each agent gets the handle of
  // the connection that is current when its turn comes, if there is one then.
  if (again)
    for (auto& a : st.agents)
      self->delayed_send(self, jittered(self, st.opts.rejoin_spread),
                         rejoin_atom::value, a, st.connections);
}

void connect(self_ptr self) {
  if (self->state.connecting)
    return;
  self->state.connecting = true;
  auto& sys = self->system();
  auto mm = sys.has_openssl_manager() ? sys.openssl_manager().actor_handle()
                                      : sys.middleman().actor_handle();
  auto& opts = self->state.opts;
  self->request(mm, opts.connect_timeout, caf::connect_atom::value, opts.host,
                opts.port)
      .then(
          [self](const caf::node_id&, caf::strong_actor_ptr& ptr,
                 const std::set<std::string>& ifs) {
            auto& st = self->state;
            st.connecting = false;
            // Like remote_actor<T>: the published actor must speak to agents.
            auto want = self->system().message_types<agent_facing_supervisor>();
            if (!ptr ||
                !std::includes(ifs.begin(), ifs.end(), want.begin(), want.end())) {
              st.log->error("uplink: the actor published at {} is not a vigil "
                            "supervisor; retrying",
                            where(self));
              retry_later(self);
              return;
            }
            connected(self, caf::actor_cast<agent_facing_supervisor>(std::move(ptr)));
          },
          [self](caf::error& err) {
            auto& st = self->state;
            st.connecting = false;
            auto text = self->system().render(err);
            if (st.retry.failures() == 0)
              st.log->warn(
                  "uplink: cannot reach the supervisor at {}: {}; retrying with "
                  "backoff",
                  where(self), text);
            else
              st.log->debug("uplink: attempt {} to reach {} failed: {}",
                            st.retry.failures() + 1, where(self), text);
            retry_later(self);
          });
}

uplink_impl::behavior_type uplink(self_ptr self, uplink_options opts) {
  auto& st = self->state;
  st.opts = std::move(opts);
  st.retry = backoff{st.opts.backoff_min, st.opts.backoff_max};
  st.log = log();
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (st.sup && dm.source == st.sup.address()) {
      st.log->warn("uplink: lost the supervisor at {} ({}); agents keep their state, "
                   "reconnecting",
                   where(self), self->system().render(dm.reason));
      st.sup = nullptr;
      retry_later(self);
      return;
    }
    if (!st.agents.remove(dm.source) && // O(1): a node's agents end by the thousand
        !st.pacers.remove(dm.source))
      st.spawners.remove(dm.source);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& rp : self->state.waiting)
      rp.deliver(make_error(errc::invalid_request, std::string{"uplink"},
                            std::string{"connect"}, std::string{"stopped"},
                            std::string{"a connection before it stops"}));
    self->state.waiting.clear();
    self->quit(msg.reason);
  });
  connect(self);
  return {
      [self](get_atom) -> caf::result<agent_facing_supervisor> {
        auto& st = self->state;
        if (st.sup)
          return st.sup;
        auto rp = self->make_response_promise();
        st.waiting.push_back(rp);
        return rp;
      },
      [self](caf::join_atom, agent_actor& a, agent_facing_supervisor& spawned_with) {
        auto& st = self->state;
        if (!a || st.agents.contains(a.address()))
          return;
        self->monitor(a);
        // Spawned with an older connection's supervisor: hand it the current one. Each
        // connection gives a new proxy, but CAF handles compare by node and actor id,
        // so a proxy of the same supervisor compares equal to the dead one: only the
        // proxy objects themselves tell the connections apart.
        if (st.sup && caf::actor_cast<caf::abstract_actor*>(spawned_with) !=
                          caf::actor_cast<caf::abstract_actor*>(st.sup))
          self->send(a, supervisor_atom::value, st.sup);
        st.agents.add(std::move(a));
      },
      [self](rejoin_atom, agent_actor& a, uint64_t connection) {
        auto& st = self->state;
        if (st.sup && connection == st.connections)
          self->send(a, supervisor_atom::value, st.sup);
      },
      [self](caf::join_atom, pacer_actor& p) {
        auto& st = self->state;
        if (!p || st.pacers.contains(p.address()))
          return;
        self->monitor(p);
        if (st.sup)
          self->send(p, supervisor_atom::value, caf::actor_cast<beat_sink>(st.sup));
        st.pacers.add(std::move(p));
      },
      [self](caf::join_atom, node_spawner_actor& sp,
             agent_facing_supervisor& spawned_with) {
        auto& st = self->state;
        if (!sp || st.spawners.contains(sp.address()))
          return;
        self->monitor(sp);
        // As for an agent: only the proxy objects tell connections apart.
        if (st.sup && caf::actor_cast<caf::abstract_actor*>(spawned_with) !=
                          caf::actor_cast<caf::abstract_actor*>(st.sup))
          self->send(sp, supervisor_atom::value, st.sup);
        st.spawners.add(std::move(sp));
      },
      [self](keep_atom, uint64_t connection) { keep_alive(self, connection); },
      [self](retry_atom) {
        self->state.retry_armed = false;
        if (!self->state.sup)
          connect(self);
      },
  };
}

} // namespace

caf::expected<uplink_actor> spawn_uplink(caf::actor_system& sys,
                                         uplink_options options) {
  auto bad = [](std::string what, const char* why) {
    return make_error(errc::bad_config, std::move(what), std::string{why});
  };
  if (options.host.empty())
    return bad("uplink host", "is empty");
  if (options.port == 0)
    return bad("uplink port", "is 0");
  if (options.connect_timeout <= duration::zero() ||
      options.backoff_min <= duration::zero() ||
      options.rejoin_spread < duration::zero())
    return bad("uplink times", "must be positive");
  if (options.backoff_max < options.backoff_min)
    return bad("uplink backoff_max", "is below backoff_min");
  uplink_actor handle = sys.spawn(uplink, std::move(options));
  return handle;
}

} // namespace vigil
