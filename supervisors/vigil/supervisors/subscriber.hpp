// Following a supervisor's event stream without the protocol: the snapshot, batches,
// acknowledgements and resyncs handled, events handed over one at a time (DESIGN §3).
#pragma once

#include <functional>

#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/message_handler.hpp>

#include "vigil/messages/event.hpp"
#include "vigil/messages/subscription.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil {

/// What a subscriber hands you, on the subscriber's own actor, in stream order. Each
/// may be empty. They run inside an actor: keep them short and never block (hand slow
/// work to another actor), and do not throw.
struct subscriber_handlers {
  /// The matching agents as of `s.seq`: first when it subscribes, then again whenever
  /// the supervisor resyncs it (`s.missed` events were lost to it, for instance while
  /// the handlers were too slow: replace your model with this one). With
  /// `subscription_request::with_agents = false` it holds no agents: it only says
  /// where the stream starts over (keep no model from it).
  std::function<void(const snapshot&)> on_snapshot;
  /// Every event after the latest snapshot's seq, one at a time, in seq order, none
  /// twice.
  std::function<void(const event&)> on_event;
  /// The stream ended: the supervisor refused the subscription (too many subscribers)
  /// or is gone (its exit reason), or (spawned with `spawn_subscriber`) the subscriber
  /// itself was sent an exit (its reason). Called once; nothing follows.
  std::function<void(const caf::error&)> on_end;
};

/// Spawns an actor that subscribes to `sup` with `filter` and calls `on_event` for
/// every matching event from the moment the supervisor takes the subscription (what
/// happened before is in the snapshot, which this form skips). It subscribes
/// asynchronously: ask it `caf::get_atom` (answered with the seq it is current to, once
/// it has subscribed, or the refusal) before you start agents whose every event it must
/// see. It ends when the supervisor does; stop it earlier with an exit message.
caf::actor spawn_subscriber(caf::actor_system& sys, supervisor_observer sup,
                            subscription_filter filter,
                            std::function<void(const event&)> on_event);

/// The same with every handler, and a request that may resume after a seq of an
/// earlier subscription (`from_seq` with its `epoch`).
caf::actor spawn_subscriber(caf::actor_system& sys, supervisor_observer sup,
                            subscription_request request, subscriber_handlers handlers);

/// Inside an actor of your own: subscribes `self` and returns the handlers of the
/// stream, to `or_else` into your behaviour. `on_end` runs for a refusal; to learn that
/// the supervisor is gone, `monitor` it yourself. One subscription per actor.
///
/// ```cpp
/// caf::behavior dashboard(caf::event_based_actor* self, vigil::supervisor_observer
/// sup) {
///   auto stream = vigil::subscribe(self, sup, {}, {nullptr, print_event, nullptr});
///   return caf::message_handler{[=](my_query&) { ... }}.or_else(stream);
/// }
/// ```
caf::message_handler subscribe(caf::event_based_actor* self, supervisor_observer sup,
                               subscription_request request,
                               subscriber_handlers handlers);

} // namespace vigil
