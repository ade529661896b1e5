// The fixture of the gate tests (DESIGN §11): two actor systems in one process,
// connected over 127.0.0.1; one runs the supervisor, the other is the peer, which plays
// every role and some attacks. Every wait is bounded.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <gtest/gtest.h>

#include "nodes/multi_process_fixture.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"
#include "vigil/nodes/node_config.hpp"
#include "vigil/nodes/publish.hpp"

namespace vigil::test {

using namespace std::chrono_literals;

inline constexpr const char* commander_secret = "correct-horse-battery-staple-42";

struct node_config : caf::actor_system_config {
  node_config() {
    if (configure_node(*this, vigil::test::fast_heartbeat()))
      std::abort();
    set("scheduler.max-threads", 2);
  }
};

/// A stand-in agent on the peer: registers when told (so that the supervisor watches
/// it), and does nothing else.
inline caf::behavior dummy_agent(caf::event_based_actor* self, supervisor_gate g) {
  return {
      [=](registration& reg) -> caf::result<registration_ack> {
        auto rp = self->make_response_promise<registration_ack>();
        self->request(g, 5s, std::move(reg))
            .then([rp](registration_ack& x) mutable { rp.deliver(x); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
  };
}

/// The peer's all-roles actor: registers itself as an agent, beats, reports,
/// subscribes and queries, and notes the sender of everything it gets.
struct spy_state {
  static inline const char* name = "vigil.test.spy";
  std::vector<caf::strong_actor_ptr> senders;
  uint64_t events = 0;
  uint64_t answers = 0;
};

inline caf::behavior spy(caf::stateful_actor<spy_state>* self, supervisor_gate g) {
  auto note = [self] {
    self->state.senders.push_back(self->current_sender());
    ++self->state.answers;
  };
  auto failed = [note](caf::error&) {
    note();
  };
  registration reg;
  reg.id = "spy-1";
  reg.node = "peer";
  self->request(g, 5s, reg)
      .then(
          [=](registration_ack& ack) {
            note();
            self->send(g,
                       heartbeat{"spy-1", ack.beat_secret, agent_state::spawning, 0});
            transition_report rep;
            rep.id = "spy-1";
            rep.token = ack.token;
            rep.from = agent_state::spawning;
            rep.to = agent_state::idle;
            rep.version = 1;
            rep.reason = "test";
            self->request(g, 5s, rep).then([=] { note(); }, failed);
          },
          failed);
  self->request(g, 5s, subscription_request{}).then([=](snapshot&) { note(); }, failed);
  self->request(g, 5s, count_atom::value).then([=](fleet_counts&) { note(); }, failed);
  self->request(g, 5s, stats_atom::value)
      .then([=](supervisor_stats&) { note(); }, failed);
  self->request(g, 5s, status_atom::value)
      .then([=](std::vector<agent_status>&) { note(); }, failed);
  self->request(g, 5s, status_atom::value, std::string{"nobody"})
      .then([=](agent_status&) { note(); }, failed);
  self->request(g, 5s, pace_atom::value).then([=](duration) { note(); }, failed);
  return {
      [=](event_batch& b) {
        self->state.senders.push_back(self->current_sender());
        self->state.events += b.events.size();
        if (!b.events.empty())
          self->send(g, ack_atom::value, b.events.back().seq);
      },
      [=](snapshot&) { self->state.senders.push_back(self->current_sender()); },
      // What it saw so far: answers, events, and the senders that were the supervisor.
      [=](get_atom, caf::node_id sup_node, caf::actor_id sup_id) {
        uint64_t bad = 0;
        for (auto& x : self->state.senders)
          if (x && x->node() == sup_node && x->id() == sup_id)
            ++bad;
        return std::make_tuple(self->state.answers, self->state.events, bad);
      },
  };
}

class Gate : public ::testing::Test {
public:
  void start(credential commander) {
    gate_options opts;
    opts.commander = std::move(commander);
    start(std::move(opts));
  }

  void start(gate_options opts) {
    supervisor_settings cfg;
    cfg.heartbeat = vigil::test::fast_heartbeat();
    auto x = spawn_supervisor(home, cfg);
    ASSERT_TRUE(x) << home.render(x.error());
    sup = *x;
    auto p = publish_supervisor(home, sup, 0, "127.0.0.1", opts);
    ASSERT_TRUE(p) << home.render(p.error());
    auto g = reach_supervisor(peer, "127.0.0.1", *p);
    ASSERT_TRUE(g) << peer.render(g.error());
    gate = *g;
  }

  ~Gate() override {
    for (auto& a : agents)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    if (sup)
      caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  }

  /// Registers an agent of the peer (a dummy actor) and reports it busy.
  registration_ack enlist(const std::string& id, const std::string& node = "peer") {
    auto agent = peer.spawn(dummy_agent, gate);
    agents.push_back(agent);
    caf::scoped_actor self{peer};
    registration reg;
    reg.id = id;
    reg.node = node;
    registration_ack ack;
    // Sent by the agent: the supervisor watches the registering actor.
    self->request(agent, 5s, reg)
        .receive([&](registration_ack& x) { ack = x; },
                 [&](caf::error& err) { ADD_FAILURE() << peer.render(err); });
    transition_report rep;
    rep.id = id;
    rep.token = ack.token;
    rep.from = agent_state::spawning;
    rep.to = agent_state::idle;
    rep.version = 1;
    ask_void(rep);
    rep.from = agent_state::idle;
    rep.to = agent_state::busy;
    rep.version = 2;
    ask_void(rep);
    return ack;
  }

  template <class... Ts>
  caf::error ask_void(Ts&&... xs) {
    caf::scoped_actor self{peer};
    caf::error out;
    self->request(gate, 5s, std::forward<Ts>(xs)...)
        .receive([] {}, [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  template <class T, class... Ts>
  caf::expected<T> ask(Ts&&... xs) {
    caf::scoped_actor self{peer};
    caf::expected<T> out{caf::sec::request_timeout};
    self->request(gate, 5s, std::forward<Ts>(xs)...)
        .receive([&](T& x) { out = std::move(x); },
                 [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  /// Sends every message at once (no round trip in between) as requests with no
  /// answer value; the error of each, in order (none: done).
  std::vector<caf::error> burst(std::vector<caf::message> xs) {
    auto done = std::make_shared<std::promise<std::vector<caf::error>>>();
    auto out = std::make_shared<std::vector<caf::error>>(xs.size());
    auto left = std::make_shared<size_t>(xs.size());
    auto g = caf::actor_cast<caf::actor>(gate);
    peer.spawn([=](caf::event_based_actor* self) {
      for (size_t i = 0; i < xs.size(); ++i)
        self->request(g, 10s, xs[i])
            .then(
                [=] {
                  if (--*left == 0)
                    done->set_value(*out);
                },
                [=](caf::error& err) {
                  (*out)[i] = std::move(err);
                  if (--*left == 0)
                    done->set_value(*out);
                });
    });
    auto f = done->get_future();
    if (f.wait_for(20s) != std::future_status::ready) {
      ADD_FAILURE() << "no answers";
      return {};
    }
    return f.get();
  }

  agent_status status(const std::string& id) {
    auto x = ask<agent_status>(status_atom::value, id);
    EXPECT_TRUE(x) << peer.render(x.error());
    return x ? *x : agent_status{};
  }

  node_config home_cfg;
  node_config peer_cfg;
  caf::actor_system home{home_cfg};
  caf::actor_system peer{peer_cfg};
  supervisor_actor sup;
  supervisor_gate gate;
  std::vector<caf::actor> agents;
};

} // namespace vigil::test
