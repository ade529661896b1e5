// One browser's live feed (issue 22): a vigil subscriber whose events wait, as
// Server-Sent Events text, for the HTTP thread that writes them. Bounded: a browser
// that reads too slowly is told to resync instead of holding events without end.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "vigil/supervisors/supervisor.hpp"

namespace vigil::detail {

class event_stream : public std::enable_shared_from_this<event_stream> {
public:
  /// Chunks waiting for the browser at most; past it, they are dropped for a resync.
  static constexpr size_t max_waiting = 4096;

  /// Subscribes to `sup` with `req` (resuming after its `from_seq`, if any). A
  /// snapshot that says events were missed becomes a `resync` event.
  static std::shared_ptr<event_stream>
  open(caf::actor_system& sys, supervisor_observer sup, subscription_request req);

  /// The `resync` event: the browser starts over from a fresh picture as of `seq`.
  static std::string resync_text(uint64_t seq, uint64_t missed, uint64_t epoch);

  /// The `start` event of a new stream: the events after `seq` of start `epoch` follow.
  static std::string start_text(uint64_t seq, uint64_t epoch);

  ~event_stream();

  /// Waits up to `timeout` for text to send; empty when none came. `ended()` tells
  /// whether more can come.
  std::string take(std::chrono::milliseconds timeout);

  bool ended() const;

  /// Ends the subscription (idempotent).
  void close();

private:
  event_stream() = default;
  void push(uint64_t seq, std::string chunk);
  void restart(std::string text);
  void end(std::string why);

  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::string> waiting_;
  bool ended_ = false;
  caf::actor subscriber_;
};

} // namespace vigil::detail
