// A user's own actor as the agent (attached_agent.hpp): vigil's agent core in the
// user's actor, its handlers `or_else`d into the user's behaviour.
#include "vigil/actors/attached_agent.hpp"

#include <caf/actor_system.hpp>
#include <caf/attachable.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/message_handler.hpp>
#include <caf/message_view.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/skip.hpp>
#include <caf/type_erased_tuple.hpp>

#include "agent_core.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil {

using detail::agent::agent_core;

namespace {

caf::error not_attached() {
  return make_error(errc::bad_config, std::string{"attached_agent"},
                    std::string{"names no agent: attach_agent gives one"});
}

caf::error refuse(const agent_core& st, const char* what, const char* allowed) {
  return make_error(errc::invalid_request, st.id, std::string{what},
                    to_string(st.current), std::string{allowed});
}

bool working(agent_state x) {
  return x == agent_state::busy || x == agent_state::on_call;
}

/// Asks an actor whether it is an attached agent (`core_keeper::matches`).
struct keeper_probe {
  mutable bool found = false;
};

/// Keeps the core alive while the actor lives (the handlers, and the answers to the
/// core's requests, hold raw pointers to it), and marks the actor as an attached
/// agent. CAF 0.17 has no read-only look-up of an actor's attachables: `detach` with
/// a probe token asks each one, and this one answers by setting the probe's flag while
/// saying "no match", so nothing is detached.
struct core_keeper final : caf::attachable {
  static constexpr size_t token_type = 0x76676c61; // "vgla": no CAF subtype is this

  explicit core_keeper(std::shared_ptr<agent_core> x) : core(std::move(x)) {}

  bool matches(const token& what) override {
    if (what.subtype == token_type)
      static_cast<const keeper_probe*>(what.ptr)->found = true;
    return false;
  }

  std::shared_ptr<agent_core> core;
};

bool attached_already(caf::event_based_actor* self) {
  keeper_probe probe;
  self->detach(caf::attachable::token{core_keeper::token_type, &probe});
  return probe.found;
}

} // namespace

bool is_agent_message(const caf::type_erased_tuple& msg) {
  using namespace detail::agent;
  return msg.match_elements<beat_atom, uint32_t, uint32_t>() ||
         msg.match_elements<beat_atom>() ||
         msg.match_elements<pace_atom, caf::actor_addr>() ||
         msg.match_elements<recover_atom, time_point>() ||
         msg.match_elements<activity_flush_atom>() ||
         msg.match_elements<supervisor_atom, agent_facing_supervisor>();
}

namespace {

/// What the handlers would ignore anyway (agent_core.hpp: `from_self`,
/// `from_own_node`): kept, a stranger's messages would pile up while the actor waits.
bool ignored_anyway(caf::scheduled_actor* self, const caf::type_erased_tuple& msg) {
  using namespace detail::agent;
  auto& sender = self->current_sender();
  if (msg.match_elements<beat_atom>() ||
      msg.match_elements<recover_atom, time_point>() ||
      msg.match_elements<activity_flush_atom>())
    return sender.get() != self->ctrl();
  if (msg.match_elements<supervisor_atom, agent_facing_supervisor>())
    return !sender || sender->node() != self->node();
  return false; // the pacer's ticks and end come without a sender
}

} // namespace

caf::result<caf::message> keep_agent_messages(caf::scheduled_actor* self,
                                              caf::message_view& x) {
  auto& msg = x.content();
  if (is_agent_message(msg) && !ignored_anyway(self, msg))
    return caf::skip;
  return caf::print_and_drop(self, x);
}

caf::message_handler attached_agent::handlers() const {
  if (!core_)
    return {};
  // Raw pointers: the actor owns the core until it has ended (attach_agent), and
  // handlers run only while it lives. Six handlers of 16 B captures each.
  auto self = self_;
  auto st = core_.get();
  using namespace detail::agent;
  return {
      [self, st](beat_atom, uint32_t ticket, uint32_t token) {
        answer_tick(self, *st, ticket, token);
      },
      [self, st](beat_atom) { own_beat(self, *st); },
      [self, st](pace_atom, const caf::actor_addr& pacer) {
        pacer_ended(self, *st, pacer);
      },
      [self, st](recover_atom, time_point at) { recover(self, *st, at); },
      [self, st](activity_flush_atom) { flush_activity(self, *st); },
      [self, st](supervisor_atom, agent_facing_supervisor& sup) {
        rejoin(self, *st, std::move(sup), nullptr);
      },
  };
}

caf::error attached_agent::start(slot_kind kind) {
  if (!core_)
    return not_attached();
  auto& st = *core_;
  auto to = kind == slot_kind::work ? agent_state::busy : agent_state::on_call;
  if (st.current != agent_state::idle) {
    if (auto err = check_transition(st.id, st.current, to))
      return err;
    return refuse(st, "start working", "idle");
  }
  detail::agent::reset_activity(st); // a new slot reports its own output
  return detail::agent::enter(self_, st, {to, "slot:" + to_string(kind)});
}

caf::error attached_agent::finish() {
  if (!core_)
    return not_attached();
  auto& st = *core_;
  if (!working(st.current))
    return refuse(st, "finish", "busy or on_call");
  return detail::agent::enter(self_, st, {agent_state::idle, "finished"});
}

caf::error attached_agent::quota(quota_reason why) {
  if (!core_)
    return not_attached();
  return quota(why, core_->settings.default_recovery);
}

caf::error attached_agent::quota(quota_reason why, duration retry_after) {
  if (!core_)
    return not_attached();
  auto& st = *core_;
  if (st.current != agent_state::idle && !working(st.current))
    return detail::agent::refuse_quota(st);
  return detail::agent::go_exhausted(self_, st, why, retry_after);
}

void attached_agent::activity() {
  if (core_)
    detail::agent::note_activity(self_, *core_);
}

void attached_agent::children(child_report x) {
  if (core_)
    detail::agent::forward_children(self_, *core_, std::move(x));
}

caf::error attached_agent::complete() {
  if (!core_)
    return not_attached();
  return detail::agent::end(self_, *core_, agent_state::completed, "completed", {});
}

caf::error attached_agent::fail(std::string error) {
  if (!core_)
    return not_attached();
  return detail::agent::end(self_, *core_, agent_state::failed, "error",
                            std::move(error));
}

agent_state attached_agent::state() const {
  return core_ ? core_->current : agent_state::spawning;
}

agent_view attached_agent::view() const {
  return core_ ? detail::agent::view_of(*core_, 0) : agent_view{};
}

caf::expected<attached_agent> attach_agent(caf::event_based_actor* self,
                                           agent_facing_supervisor supervisor,
                                           agent_options options) {
  auto bad = [&](std::string why) {
    return make_error(errc::bad_config, "agent " + options.id, std::move(why));
  };
  if (!self)
    return bad("has no actor to attach to");
  if (options.id.empty())
    return make_error(errc::bad_config, std::string{"agent id"},
                      std::string{"is empty"});
  if (!supervisor)
    return bad("has no supervisor handle");
  if (options.worker)
    return bad("has a worker: an attached agent's actor is its own work");
  if (auto err = validate(options.settings))
    return err;
  // A second core in one actor would beat twice, with two handler sets, two timers
  // and two registrations under whichever id came last.
  if (attached_already(self))
    return bad("cannot attach: the actor is an attached agent already");
  attached_agent result;
  result.self_ = self;
  result.core_ = std::make_shared<agent_core>();
  result.core_->adopt(options, std::move(supervisor));
  // The actor keeps the core alive until it has ended: the handlers, and the answers
  // to the core's requests, hold raw pointers to it. The keeper touches nothing as the
  // actor ends; dropping it frees the core.
  self->attach(caf::attachable_ptr{new core_keeper(result.core_)});
  // CAF's default drops what no behaviour takes: a timer or tick dropped while the
  // user's actor runs a behaviour without our handlers would end the beats for good.
  self->set_default_handler(keep_agent_messages);
  detail::agent::register_self(self, *result.core_, nullptr);
  return result;
}

} // namespace vigil
