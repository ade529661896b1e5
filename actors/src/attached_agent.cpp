// A user's own actor as the agent (attached_agent.hpp): vigil's agent core in the
// user's actor, its handlers `or_else`d into the user's behaviour.
#include "vigil/actors/attached_agent.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/message_handler.hpp>

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

} // namespace

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
  attached_agent result;
  result.self_ = self;
  result.core_ = std::make_shared<agent_core>();
  result.core_->adopt(options, std::move(supervisor));
  // The actor keeps the core alive until it has ended: the handlers, and the answers
  // to the core's requests, hold raw pointers to it. The functor touches nothing (CAF
  // runs it as the actor ends); dropping it frees the core.
  self->attach_functor([keep = result.core_](const caf::error&) {});
  detail::agent::register_self(self, *result.core_, nullptr);
  return result;
}

} // namespace vigil
