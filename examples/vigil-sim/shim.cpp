#include "shim.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/result.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>

#include "vigil/messages/atoms.hpp"

namespace vigil::sim {

namespace {

struct shim_state {
  static inline const char* name = "vigil.sim.shim";
  supervisor_actor sup;
  caf::actor agent;
  bool partitioned = false;
  uint64_t token = 0; ///< The slot whose simulated work is running.
  bool dead = false;  ///< The agent died while partitioned; `died` is why.
  caf::error died;
};

using shim_ptr = caf::stateful_actor<shim_state>*;

caf::behavior shim(shim_ptr self, supervisor_actor sup) {
  self->state.sup = std::move(sup);
  // The shim is the agent's link to the supervisor, so the supervisor knows the shim as
  // the owner. Linked to the agent, it ends with the agent's exit reason, after
  // everything the agent sent before (and an exit for the shim ends the agent).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!self->state.partitioned) {
      self->quit(msg.reason);
      return;
    }
    // Behind a partition the supervisor learns of the death only when it heals.
    self->state.died = std::move(msg.reason);
    self->state.dead = true;
  });
  auto pass = [self] {
    return !self->state.partitioned;
  };
  // Requests go on as the shim's own; their answers go back to the agent.
  auto relay = [self](auto msg) -> caf::result<void> {
    auto rp = self->make_response_promise();
    self->request(self->state.sup, caf::infinite, std::move(msg))
        .then([rp]() mutable { rp.deliver(caf::unit); },
              [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
    return rp;
  };
  return {
      // As the network: agent -> supervisor; lost while partitioned (answers too).
      [=](registration& x) -> caf::result<registration_ack> {
        auto rp = self->make_response_promise<registration_ack>();
        if (!pass())
          return rp; // never answered
        self->request(self->state.sup, caf::infinite, std::move(x))
            .then([rp](registration_ack& ack) mutable { rp.deliver(ack); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](heartbeat& x) {
        if (pass())
          self->send(self->state.sup, std::move(x));
      },
      [=](transition_report& x) -> caf::result<void> {
        if (!pass())
          return self->make_response_promise();
        return relay(std::move(x));
      },
      [=](activity_report& x) {
        if (pass())
          self->send(self->state.sup, std::move(x));
      },
      [=](child_report& x) {
        if (pass())
          self->send(self->state.sup, std::move(x));
      },
      // As the user's work.
      [=](caf::actor& agent) {
        self->link_to(agent);
        self->state.agent = std::move(agent);
      },
      [=](work_atom, slot_kind, const std::string& task) {
        auto& st = self->state;
        auto token = ++st.token;
        auto slash = task.find('/');
        duration run_for{std::stoll(task.substr(0, slash))};
        duration every{std::stoll(task.substr(slash + 1))};
        if (run_for > duration::zero())
          self->delayed_send(self, run_for, finish_tick_atom::value, token);
        if (every > duration::zero())
          self->delayed_send(self, every, activity_tick_atom::value, token, every);
      },
      [=](finish_tick_atom, uint64_t token) {
        if (token != self->state.token)
          return;
        ++self->state.token; // its output stops with it
        caf::anon_send(self->state.agent, finish_atom::value);
      },
      [=](activity_tick_atom, uint64_t token, duration every) {
        if (token != self->state.token)
          return;
        // To a hung agent too: its output waits in its mailbox until it wakes.
        caf::anon_send(self->state.agent, activity_atom::value);
        self->delayed_send(self, every, activity_tick_atom::value, token, every);
      },
      [=](stop_work_atom) { ++self->state.token; },
      [=](partition_atom, bool on) {
        self->state.partitioned = on;
        if (!on && self->state.dead)
          self->quit(self->state.died);
      },
  };
}

} // namespace

// The simulated work of a slot travels in its task text: "run_for_ns/every_ns".
std::string encode_work(const action& a) {
  return std::to_string(a.run_for ? a.run_for->count() : 0) + "/" +
         std::to_string(a.activity_every ? a.activity_every->count() : 0);
}

caf::actor spawn_shim(caf::actor_system& sys, supervisor_actor sup) {
  return sys.spawn(shim, std::move(sup));
}

} // namespace vigil::sim
