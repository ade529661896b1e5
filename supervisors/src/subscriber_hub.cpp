#include "vigil/supervisors/subscriber_hub.hpp"

#include <algorithm>

namespace vigil {

subscriber_hub::subscriber_hub(size_t history, size_t window)
    : capacity_(std::max<size_t>(history, 1)), window_(std::max<size_t>(window, 1)) {}

const event& subscriber_hub::append(event e) {
  e.seq = next_seq_++;
  if (history_.size() == capacity_)
    history_.pop_front();
  history_.push_back(std::move(e));
  return history_.back();
}

uint64_t subscriber_hub::add(subscriber_id id, subscription_filter filter,
                             caf::optional<uint64_t> from_seq, uint64_t from_epoch) {
  subscriber sub;
  if (auto i = subs_.find(id); i != subs_.end()) {
    // Subscribing again changes what it gets, not what it owes: its unacknowledged
    // events still count against the window.
    sub.in_flight = i->second.in_flight;
    sub.unacked = std::move(i->second.unacked);
    sub.sent = i->second.sent;
  }
  sub.filter = std::move(filter);
  uint64_t missed = 0;
  sub.cursor = next_seq_;
  if (!from_seq) {
    // a snapshot as of last_seq()
  } else if (*from_seq > last_seq()) {
    // It saw events we do not have: a supervisor that restarted from its store lost
    // the ones not committed yet, and numbers anew from there.
    missed = *from_seq - last_seq();
  } else if (from_epoch != epoch_) {
    // Numbered by another start (or one it cannot name): its seqs may name other
    // events than ours.
    missed = std::max<uint64_t>(1, last_seq() - *from_seq);
  } else if (*from_seq + 1 < first_seq()) {
    missed = first_seq() - (*from_seq + 1); // gone from the history
  } else {
    sub.cursor = *from_seq + 1; // goes on without a gap
  }
  subs_[id] = std::move(sub);
  return missed;
}

void subscriber_hub::remove(subscriber_id id) {
  subs_.erase(id);
}

bool subscriber_hub::ack(subscriber_id id, uint64_t seq) {
  auto i = subs_.find(id);
  if (i == subs_.end())
    return true; // gone meanwhile: nothing to do
  auto& sub = i->second;
  if (seq > std::max(sub.sent, sub.cursor - 1))
    return false; // it was never sent that far
  while (!sub.unacked.empty() && sub.unacked.front().last_seq <= seq) {
    sub.in_flight -= sub.unacked.front().count;
    sub.unacked.pop_front();
  }
  return true;
}

size_t subscriber_hub::in_flight(subscriber_id id) const {
  auto i = subs_.find(id);
  return i != subs_.end() ? i->second.in_flight : 0;
}

const subscription_filter* subscriber_hub::filter_of(subscriber_id id) const {
  auto i = subs_.find(id);
  return i != subs_.end() ? &i->second.filter : nullptr;
}

void subscriber_hub::flush(const batch_sink& send, const resync_sink& resync) {
  for (auto& [id, sub] : subs_)
    flush_one(id, sub, send, resync);
}

void subscriber_hub::flush_one(subscriber_id id, subscriber& sub,
                               const batch_sink& send, const resync_sink& resync) {
  if (sub.in_flight >= window_ || sub.cursor == next_seq_)
    return;
  if (sub.cursor < first_seq()) {
    // Fell behind the history: a snapshot replaces what it lost.
    resync(id, first_seq() - sub.cursor);
    sub.cursor = next_seq_;
    sub.sent = std::max(sub.sent, last_seq());
    sub.in_flight += 1;
    sub.unacked.push_back({last_seq(), 1});
    return;
  }
  event_batch batch;
  batch.epoch = epoch_;
  auto credit = window_ - sub.in_flight;
  while (sub.cursor < next_seq_ && batch.events.size() < credit) {
    auto& e = history_[sub.cursor - first_seq()];
    ++sub.cursor;
    if (matches(sub.filter, e))
      batch.events.push_back(e);
  }
  if (batch.events.empty())
    return;
  auto last = batch.events.back().seq;
  sub.sent = std::max(sub.sent, last);
  sub.in_flight += batch.events.size();
  sub.unacked.push_back({last, batch.events.size()});
  send(id, std::move(batch));
}

std::vector<event> subscriber_hub::recent_of(const std::string& agent,
                                             size_t max) const {
  std::vector<event> out;
  for (auto i = history_.rbegin(); i != history_.rend() && out.size() < max; ++i)
    if (i->agent == agent)
      out.push_back(*i);
  std::reverse(out.begin(), out.end());
  return out;
}

} // namespace vigil
