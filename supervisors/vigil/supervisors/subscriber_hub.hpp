// The ordered event stream: seq numbers, bounded history, per-subscriber flow control.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>

#include <caf/optional.hpp>

#include "vigil/messages/event.hpp"
#include "vigil/messages/subscription.hpp"

namespace vigil {

/// Numbers events, keeps the last `history` of them, and decides what each subscriber
/// gets next (DESIGN §3). Holds no actors: `flush` hands batches and resync requests to
/// callbacks, and the supervisor sends them.
///
/// Memory bound: the history (at most `history` events) plus O(1) per subscriber.
/// A subscriber has at most `window` unacknowledged events in flight; past that it gets
/// nothing until it acknowledges. One whose next event left the history meanwhile is
/// resynced: told how many events it missed, and given a fresh snapshot.
class subscriber_hub {
public:
  using subscriber_id = uint64_t;
  using batch_sink = std::function<void(subscriber_id, event_batch&&)>;
  /// Asked to send a snapshot as of `last_seq()` telling that `missed` were lost.
  using resync_sink = std::function<void(subscriber_id, uint64_t missed)>;

  subscriber_hub(size_t history, size_t window);

  /// Numbers `e` (the next seq) and keeps it in the history.
  const event& append(event e);

  /// Numbering goes on after `seq` (a supervisor that reloaded its record): only
  /// before the first `append`.
  void continue_after(uint64_t seq) noexcept { next_seq_ = seq + 1; }

  /// This stream is numbered by start `epoch`. A subscriber that saw another start's
  /// events is resynced: after a crash the same seqs may name other events, and a
  /// record restored after dropped events may not be the state its seqs say.
  void begin_epoch(uint64_t epoch) noexcept { epoch_ = epoch; }

  uint64_t epoch() const noexcept { return epoch_; }

  /// The seq of the newest event; 0 before the first.
  uint64_t last_seq() const noexcept { return next_seq_ - 1; }

  /// Adds a subscriber. Without `from_seq` it starts after `last_seq()` (the caller
  /// sends a snapshot). With it (numbered by `from_epoch`), after `from_seq` when the
  /// stream can go on from there without a gap; else it starts after `last_seq()` and
  /// the result, how many it missed, is above 0: the history no longer holds the events
  /// it needs, or it saw events this stream may not have (ahead of `last_seq()`, or
  /// numbered by another start). Then the caller sends a snapshot.
  uint64_t add(subscriber_id id, subscription_filter filter,
               caf::optional<uint64_t> from_seq, uint64_t from_epoch = 0);

  void remove(subscriber_id id);

  /// The subscriber has processed everything up to `seq`. False (and nothing changes)
  /// when `seq` is beyond what it was sent: a peer may not empty its window so.
  bool ack(subscriber_id id, uint64_t seq);

  /// Hands every subscriber what it may get now.
  void flush(const batch_sink& send, const resync_sink& resync);

  bool contains(subscriber_id id) const { return subs_.count(id) > 0; }

  size_t subscribers() const noexcept { return subs_.size(); }

  size_t history_size() const noexcept { return history_.size(); }

  /// The last `max` events of `agent` the history holds, oldest first: O(history).
  std::vector<event> recent_of(const std::string& agent, size_t max) const;

  /// Events (or resyncs) sent to `id` and not acknowledged yet.
  size_t in_flight(subscriber_id id) const;

  size_t window() const noexcept { return window_; }

  const subscription_filter* filter_of(subscriber_id id) const;

private:
  struct sent_batch {
    uint64_t last_seq;
    size_t count;
  };

  struct subscriber {
    subscription_filter filter;
    uint64_t cursor = 1; ///< Next seq to look at.
    uint64_t sent = 0;   ///< The newest seq sent (or resynced past): acks go up to it.
    size_t in_flight = 0;
    std::deque<sent_batch> unacked; ///< At most `window` entries.
  };

  uint64_t first_seq() const noexcept { return next_seq_ - history_.size(); }

  void flush_one(subscriber_id id, subscriber& sub, const batch_sink& send,
                 const resync_sink& resync);

  size_t capacity_;
  size_t window_;
  uint64_t next_seq_ = 1;
  uint64_t epoch_ = 0;
  std::deque<event> history_;
  std::unordered_map<subscriber_id, subscriber> subs_;
};

} // namespace vigil
