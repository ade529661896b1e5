#include "event_stream.hpp"

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "api_json.hpp"
#include "vigil/messages/event_json.hpp"
#include "vigil/supervisors/subscriber.hpp"

namespace vigil::detail {

namespace {

time_point origin_now() {
  return unix_origin(std::chrono::steady_clock::now());
}

} // namespace

std::string event_stream::resync_text(uint64_t seq, uint64_t missed, uint64_t epoch) {
  auto n = std::to_string(seq);
  return "id: " + n + "\nevent: resync\ndata: {\"seq\":" + n +
         ",\"missed\":" + std::to_string(missed) + ",\"epoch\":\"" +
         std::to_string(epoch) + "\"}\n\n";
}

std::string event_stream::start_text(uint64_t seq, uint64_t epoch) {
  auto n = std::to_string(seq);
  return "id: " + n + "\nevent: start\ndata: {\"seq\":" + n + ",\"epoch\":\"" +
         std::to_string(epoch) + "\"}\n\n";
}

std::shared_ptr<event_stream> event_stream::open(caf::actor_system& sys,
                                                 supervisor_observer sup,
                                                 subscription_request req) {
  std::shared_ptr<event_stream> self{new event_stream};
  std::weak_ptr<event_stream> weak = self;
  subscriber_handlers h;
  // A new stream says where it starts (its `id:` is what a reconnect resumes after,
  // even if no event came before the connection dropped); one that cannot go on
  // without a gap says resync.
  h.on_snapshot = [weak](const snapshot& s) {
    if (auto x = weak.lock())
      x->restart(s.missed > 0 ? resync_text(s.seq, s.missed, s.epoch)
                              : start_text(s.seq, s.epoch));
  };
  auto origin = origin_now();
  h.on_event = [weak, origin](const event& e) {
    if (auto x = weak.lock())
      x->push(e.seq, "id: " + std::to_string(e.seq) +
                         "\ndata: " + event_line(e, origin) + "\n\n");
  };
  h.on_end = [weak, &sys](const caf::error& err) {
    if (auto x = weak.lock())
      x->end(sys.render(err));
  };
  self->subscriber_ =
      spawn_subscriber(sys, std::move(sup), std::move(req), std::move(h));
  return self;
}

event_stream::~event_stream() {
  close();
}

void event_stream::push(uint64_t seq, std::string chunk) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (ended_)
    return;
  if (waiting_.size() >= max_waiting) {
    // The browser reads too slowly: rather than hold events without end, tell it to
    // start over from a fresh picture (what a CAF subscriber gets as a snapshot), as
    // of the last event it will not get (its `id:`: a reconnect resumes after it).
    auto n = std::to_string(seq - 1);
    waiting_.clear();
    waiting_.push_back("id: " + n + "\nevent: resync\ndata: {\"seq\":" + n +
                       ",\"missed\":" + std::to_string(max_waiting) +
                       ",\"reason\":\"too slow\"}\n\n");
  }
  waiting_.push_back(std::move(chunk));
  cv_.notify_one();
}

void event_stream::restart(std::string text) {
  std::lock_guard<std::mutex> guard{mtx_};
  waiting_.clear(); // what waits is older than the new start
  waiting_.push_back(std::move(text));
  cv_.notify_one();
}

void event_stream::end(std::string why) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (ended_)
    return;
  waiting_.push_back("event: end\ndata: " + error_json(why) + "\n\n");
  ended_ = true;
  cv_.notify_one();
}

std::string event_stream::take(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mtx_};
  cv_.wait_for(lock, timeout, [this] { return !waiting_.empty() || ended_; });
  std::string out;
  while (!waiting_.empty()) {
    out += waiting_.front();
    waiting_.pop_front();
  }
  return out;
}

bool event_stream::ended() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return ended_ && waiting_.empty();
}

void event_stream::close() {
  caf::actor sub;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ended_ = true;
    sub = std::move(subscriber_);
    cv_.notify_all();
  }
  if (sub)
    caf::anon_send_exit(sub, caf::exit_reason::user_shutdown);
}

} // namespace vigil::detail
