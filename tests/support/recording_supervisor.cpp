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
      [self](registration& x) -> caf::result<registration_ack> {
        self->state.registrations.push_back(std::move(x));
        if (self->state.hold_registrations) // dropped undelivered: no answer
          return self->make_response_promise<registration_ack>();
        if (self->state.refuse_registrations)
          return self->state.refuse_registrations;
        registration_ack ack;
        ack.key = self->state.registrations.size();
        ack.token = life_token{1, ack.key};
        ack.beat_secret = 1000 + ack.key;
        ack.heartbeat_interval = self->state.interval;
        return ack;
      },
      [self](heartbeat& x) {
        self->state.beats.emplace_back(self->clock().now(), std::move(x));
      },
      [self](beat_batch& x) {
        self->state.batches.emplace_back(self->clock().now(), x.beats.size());
        self->state.lateness.push_back(x.lateness);
        for (auto& b : x.beats)
          self->state.paced.emplace_back(self->clock().now(), b);
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
      [self](spawner_offer& x) -> caf::result<void> {
        self->state.offers.push_back(std::move(x));
        if (self->state.refuse_offers)
          return self->state.refuse_offers;
        return caf::unit;
      },
  };
}

} // namespace

agent_facing_supervisor spawn_recording_supervisor(caf::actor_system& sys) {
  return caf::actor_cast<agent_facing_supervisor>(sys.spawn(recorder));
}

} // namespace vigil::test
