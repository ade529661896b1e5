#include "recording_supervisor.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/result.hpp>
#include <caf/stateful_actor.hpp>

namespace vigil::test {

namespace {

caf::behavior recorder(caf::stateful_actor<recording_supervisor_state>* self) {
  return {
      [self](registration& x) -> caf::result<void> {
        self->state.registrations.push_back(std::move(x));
        if (self->state.hold_registrations)
          return self->make_response_promise(); // dropped undelivered: no answer
        if (self->state.refuse_registrations)
          return self->state.refuse_registrations;
        return caf::unit;
      },
      [self](heartbeat& x) {
        self->state.beats.emplace_back(self->clock().now(), std::move(x));
      },
      [self](activity_report& x) {
        self->state.activity.emplace_back(self->clock().now(), std::move(x));
      },
      [self](child_report& x) { self->state.children.push_back(std::move(x)); },
      [self](transition_report& x) -> caf::result<void> {
        self->state.reports.push_back(std::move(x));
        if (self->state.refuse_reports)
          return self->state.refuse_reports;
        return caf::unit;
      },
  };
}

} // namespace

agent_facing_supervisor spawn_recording_supervisor(caf::actor_system& sys) {
  return caf::actor_cast<agent_facing_supervisor>(sys.spawn(recorder));
}

} // namespace vigil::test
