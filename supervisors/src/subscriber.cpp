// The subscriber helper: one cursor over the stream, acknowledged batch by batch.
#include "vigil/supervisors/subscriber.hpp"

#include <memory>
#include <vector>

#include <caf/response_promise.hpp>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/system_messages.hpp>

#include "vigil/messages/atoms.hpp"

namespace vigil {

namespace {

/// Where the stream stands: events at or below `seq` of `epoch` are known.
struct cursor {
  subscriber_handlers handlers;
  uint64_t epoch = 0;
  uint64_t seq = 0;
  bool subscribed = false;
  /// `get_atom` requests that came before the subscription was taken.
  std::vector<caf::response_promise> waiting;
};

void take_snapshot(cursor& c, const snapshot& s) {
  c.epoch = s.epoch;
  c.subscribed = true;
  for (auto& rp : c.waiting)
    rp.deliver(s.complete ? s.seq : c.seq);
  c.waiting.clear();
  // A resume without a gap answers with no agents: the stream goes on after the seq
  // we resumed from (the events up to `s.seq` are still to come), not after `s.seq`.
  if (!s.complete)
    return;
  c.seq = s.seq;
  if (c.handlers.on_snapshot)
    c.handlers.on_snapshot(s);
}

} // namespace

namespace {

caf::message_handler subscribe_with(caf::event_based_actor* self,
                                    supervisor_observer sup,
                                    subscription_request request,
                                    std::shared_ptr<cursor> c) {
  if (request.from_seq) {
    c->seq = *request.from_seq;
    c->epoch = request.epoch;
  }
  // The reply comes before any batch (the supervisor sends it first).
  self->request(sup, caf::infinite, std::move(request))
      .then([c](snapshot& s) { take_snapshot(*c, s); },
            [c](caf::error& err) {
              for (auto& rp : c->waiting)
                rp.deliver(err);
              c->waiting.clear();
              if (c->handlers.on_end)
                c->handlers.on_end(err);
            });
  return {
      [self, sup, c](event_batch& batch) {
        if (!c->subscribed || batch.events.empty())
          return;
        c->epoch = batch.epoch;
        for (auto& e : batch.events) {
          if (e.seq <= c->seq)
            continue; // reflected in the snapshot already
          c->seq = e.seq;
          if (c->handlers.on_event)
            c->handlers.on_event(e);
        }
        self->send(sup, ack_atom::value, batch.events.back().seq); // credit back
      },
      [c](snapshot& s) { take_snapshot(*c, s); }, // a resync
  };
}

} // namespace

caf::message_handler subscribe(caf::event_based_actor* self, supervisor_observer sup,
                               subscription_request request,
                               subscriber_handlers handlers) {
  auto c = std::make_shared<cursor>();
  c->handlers = std::move(handlers);
  return subscribe_with(self, std::move(sup), std::move(request), std::move(c));
}

caf::actor spawn_subscriber(caf::actor_system& sys, supervisor_observer sup,
                            subscription_request request,
                            subscriber_handlers handlers) {
  return sys.spawn([sup, request = std::move(request), handlers = std::move(handlers)](
                       caf::event_based_actor* self) mutable {
    self->monitor(sup);
    // `on_end` once, whichever comes first: the supervisor's end, a refusal, or an
    // exit message to this actor (a fleet_scope stopping it).
    auto ended = std::make_shared<bool>(false);
    auto end = [self, ended, on_end = handlers.on_end](const caf::error& reason,
                                                       caf::error quit_with) {
      if (!*ended && on_end)
        on_end(reason);
      *ended = true;
      self->quit(std::move(quit_with));
    };
    self->set_down_handler([sup, end](caf::down_msg& dm) {
      if (dm.source == sup.address())
        end(dm.reason, caf::none); // its stream is over: a normal end
    });
    self->set_exit_handler([end](caf::exit_msg& msg) { end(msg.reason, msg.reason); });
    handlers.on_end = [end](const caf::error& err) {
      end(err, err);
    };
    auto c = std::make_shared<cursor>();
    c->handlers = std::move(handlers);
    auto stream = subscribe_with(self, sup, std::move(request), c);
    // "Are you subscribed?": answered with the seq it is current to once it is.
    return caf::message_handler{[self, c](caf::get_atom) {
             auto rp = self->make_response_promise();
             if (c->subscribed)
               rp.deliver(c->seq);
             else
               c->waiting.push_back(rp);
             return rp;
           }}
        .or_else(stream);
  });
}

caf::actor spawn_subscriber(caf::actor_system& sys, supervisor_observer sup,
                            subscription_filter filter,
                            std::function<void(const event&)> on_event) {
  subscription_request request;
  request.filter = std::move(filter);
  return spawn_subscriber(sys, std::move(sup), std::move(request),
                          subscriber_handlers{nullptr, std::move(on_event), nullptr});
}

} // namespace vigil
