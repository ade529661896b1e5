#include "recorder.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace vigil::sim {

namespace {

caf::behavior collector(caf::event_based_actor* self, supervisor_actor sup,
                        recorder* rec) {
  self->request(sup, caf::infinite, subscription_request{}).then([rec](snapshot&) {
    std::lock_guard<std::mutex> guard{rec->mx};
    rec->subscribed = true;
    rec->ready.notify_all();
  });
  return {
      [=](event_batch& b) {
        auto last = b.events.back().seq;
        for (auto& e : b.events)
          rec->on(std::move(e));
        self->send(sup, ack_atom::value, last);
      },
      [=](snapshot& s) {
        spdlog::error("vigil-sim: the event stream lost {} events", s.missed);
      },
  };
}

} // namespace

caf::actor spawn_collector(caf::actor_system& sys, supervisor_actor sup,
                           recorder* rec) {
  return sys.spawn(collector, std::move(sup), rec);
}

} // namespace vigil::sim
