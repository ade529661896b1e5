// A subscriber joins (DESIGN §6): bounded in number, watched, handed a snapshot (or
// told what it missed) before any batch.
#include <caf/actor_cast.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil::detail {

caf::typed_response_promise<snapshot> on_subscribe(self_ptr self,
                                                   subscription_request& req) {
  auto& st = self->state;
  // Before the promise: making it takes the sender out of the current message.
  auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  auto rp = self->make_response_promise<snapshot>();
  if (!sender) {
    rp.deliver(make_error(errc::not_owner, std::string{"anonymous subscriber"}));
    return rp;
  }
  if (st.subscribers.size() >= st.cfg.max_subscribers &&
      st.subscriber_ids.count(sender.address()) == 0) {
    log_refusal(self, "subscribe",
                fmt::format("subscriber refused: {} subscribers already, the most "
                            "max_subscribers allows",
                            st.subscribers.size()));
    rp.deliver(make_error(errc::invalid_request, std::string{"supervisor"},
                          std::string{"subscribe"},
                          std::to_string(st.subscribers.size()) + " subscribers",
                          "fewer than " + std::to_string(st.cfg.max_subscribers)));
    return rp;
  }
  auto [s, fresh] = st.subscriber_ids.try_emplace(sender.address(), st.next_subscriber);
  if (fresh) {
    ++st.next_subscriber;
    self->monitor(sender);
  }
  auto id = s->second;
  st.subscribers[id] = {sender, req.with_agents};
  snapshot snap;
  snap.epoch = st.hub.epoch();
  snap.seq = st.hub.last_seq();
  // A fresh subscriber gets the whole picture; so does one that cannot go on without a
  // gap (the history lost its events, or a crash lost events it saw): it starts over.
  auto filter = req.filter;
  snap.missed = st.hub.add(id, std::move(req.filter), req.from_seq, req.epoch);
  snap.complete = !req.from_seq || snap.missed > 0;
  if (snap.complete && req.with_agents)
    snap.agents = snapshot_of(self, filter);
  log_limited(
      self, spdlog::level::info, "subscriber",
      "subscriber {} joined at seq {} of start {} ({} agents in its snapshot, {} "
      "missed)",
      id, snap.seq, snap.epoch, snap.agents.size(), snap.missed);
  rp.deliver(std::move(snap)); // the snapshot goes out before any batch
  send_batches(self);
  return rp;
}

} // namespace vigil::detail
