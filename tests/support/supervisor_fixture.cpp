#include "support/supervisor_fixture.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>

namespace vigil::test {

namespace {

caf::behavior puppet(caf::stateful_actor<puppet_state>* self, supervisor_actor sup) {
  auto record = [self](caf::error err) {
    self->state.replies.push_back(std::move(err));
  };
  return {
      [=](registration& x) {
        self->request(sup, caf::infinite, std::move(x))
            .then(
                [=](registration_ack& ack) {
                  self->state.keys.push_back(ack.key);
                  self->state.acks.push_back(ack);
                  record({});
                },
                [=](caf::error& err) { record(err); });
      },
      [=](transition_report& x) {
        self->request(sup, caf::infinite, std::move(x))
            .then([=] { record({}); }, [=](caf::error& err) { record(err); });
      },
      [=](heartbeat& x) { self->send(sup, std::move(x)); },
      [=](beat_batch& x) { self->send(sup, std::move(x)); },
      [=](fail_atom, const std::string& text) {
        self->quit(caf::make_error(caf::sec::runtime_error, text));
      },
      [=](complete_atom) { self->quit(); },
  };
}

caf::behavior collector(caf::stateful_actor<collector_state>* self,
                        supervisor_actor sup, subscription_request req, bool auto_ack) {
  self->state.auto_ack = auto_ack;
  self->request(sup, caf::infinite, std::move(req))
      .then([=](snapshot& s) { self->state.snapshots.push_back(std::move(s)); },
            [=](caf::error& err) { self->state.refused = std::move(err); });
  auto last_seen = [self] {
    uint64_t seq = 0;
    if (!self->state.events.empty())
      seq = self->state.events.back().seq;
    if (!self->state.snapshots.empty())
      seq = std::max(seq, self->state.snapshots.back().seq);
    return seq;
  };
  return {
      [=](event_batch& b) {
        for (auto& e : b.events)
          self->state.events.push_back(std::move(e));
        if (self->state.auto_ack)
          self->send(sup, ack_atom::value, last_seen());
      },
      [=](snapshot& s) {
        self->state.snapshots.push_back(std::move(s));
        if (self->state.auto_ack)
          self->send(sup, ack_atom::value, last_seen());
      },
      [=](ack_atom) { // reads again
        self->state.auto_ack = true;
        self->send(sup, ack_atom::value, last_seen());
      },
      [=](caf::unsubscribe_atom) { self->send(sup, caf::unsubscribe_atom::value); },
  };
}

} // namespace

caf::actor spawn_puppet(caf::actor_system& sys, supervisor_actor sup) {
  return sys.spawn(puppet, std::move(sup));
}

caf::actor spawn_collector(caf::actor_system& sys, supervisor_actor sup,
                           subscription_request req, bool auto_ack) {
  return sys.spawn(collector, std::move(sup), std::move(req), auto_ack);
}

void supervisor_fixture::start(supervisor_settings cfg) {
  settings = cfg;
  auto x = spawn_supervisor(sys, std::move(cfg), options);
  ASSERT_TRUE(x) << sys.render(x.error());
  sup = track(*x);
  sched.run();
}

void supervisor_fixture::reg(const caf::actor& p, const std::string& id,
                             const std::string& type, agent_state state) {
  registration x;
  x.id = id;
  x.type = type;
  x.node = "n1";
  x.state = state;
  send_registration(p, std::move(x));
}

void supervisor_fixture::reg_again(const caf::actor& p, const std::string& id,
                                   agent_state state) {
  registration x;
  x.id = id;
  x.type = "worker";
  x.node = "n1";
  x.state = state;
  x.token = acks_[id].token;
  send_registration(p, std::move(x));
}

void supervisor_fixture::send_registration(const caf::actor& p, registration x) {
  auto id = x.id;
  auto before = state_of<puppet_state>(p).acks.size();
  caf::anon_send(p, std::move(x));
  sched.run();
  auto& acks = state_of<puppet_state>(p).acks;
  if (acks.size() > before) {
    acks_[id] = acks.back();
    secrets_[acks.back().key] = acks.back().beat_secret;
  }
}

void supervisor_fixture::report(const caf::actor& p, const std::string& id,
                                agent_state from, agent_state to,
                                caf::optional<duration> recovery_in) {
  transition_report x;
  x.id = id;
  x.from = from;
  x.to = to;
  x.reason = "test";
  x.recovery_in = recovery_in;
  x.token = acks_[id].token;
  caf::anon_send(p, std::move(x));
  sched.run();
}

void supervisor_fixture::beat(const caf::actor& p, const std::string& id,
                              agent_state state) {
  caf::anon_send(p, beat_of(id, state));
  sched.run();
}

heartbeat supervisor_fixture::beat_of(const std::string& id, agent_state state) {
  return heartbeat{id, acks_[id].beat_secret, state, 0};
}

void supervisor_fixture::batch(const caf::actor& p, const std::vector<uint64_t>& keys,
                               agent_state state, duration lateness) {
  beat_batch b;
  b.lateness = lateness;
  for (auto k : keys)
    b.beats.push_back(paced_beat{k, secrets_[k], state, 1});
  caf::anon_send(p, std::move(b));
  sched.run();
}

caf::actor supervisor_fixture::idle_agent(const std::string& id,
                                          const std::string& type) {
  auto p = puppet();
  reg(p, id, type, agent_state::spawning);
  report(p, id, agent_state::spawning, agent_state::idle);
  return p;
}

agent_status supervisor_fixture::status(const std::string& id) {
  auto x = ask<agent_status>(sup, status_atom::value, id);
  EXPECT_TRUE(x) << sys.render(x.error());
  return x ? *x : agent_status{};
}

caf::error supervisor_fixture::status_error(const std::string& id) {
  auto x = ask<agent_status>(sup, status_atom::value, id);
  return x ? caf::error{} : x.error();
}

supervisor_stats supervisor_fixture::stats() {
  auto x = ask<supervisor_stats>(sup, stats_atom::value);
  EXPECT_TRUE(x) << sys.render(x.error());
  return x ? *x : supervisor_stats{};
}

fleet_metrics supervisor_fixture::metrics() {
  auto x = ask<fleet_metrics>(sup, metrics_atom::value);
  EXPECT_TRUE(x) << sys.render(x.error());
  return x ? *x : fleet_metrics{};
}

} // namespace vigil::test
