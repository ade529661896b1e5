// Per-record timers of one kind (retention purges, offline_retention, restarts)
// behind one delayed message: CAF 0.17's clock keeps a message and a map node, about
// 170 B, for every delayed send until it fires, even when the record it was for has
// a new life by then (a fleet that restarted once kept 100,000 of them for
// `retention`), and a storm of them leaves the allocator's pages fragmented.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "vigil/messages/time.hpp"

namespace vigil::detail {

/// A binary min-heap in one array that gives memory back: a burst (a node lost, a
/// restart storm) leaves no large array behind once it has passed. `Later(x, y)`:
/// whether `x` comes after `y`.
template <class T, class Later>
class min_heap {
public:
  bool empty() const noexcept { return xs_.empty(); }
  size_t size() const noexcept { return xs_.size(); }
  const T& top() const noexcept { return xs_.front(); }

  void push(T x) {
    xs_.push_back(std::move(x));
    std::push_heap(xs_.begin(), xs_.end(), Later{});
  }

  T pop() {
    std::pop_heap(xs_.begin(), xs_.end(), Later{});
    T x = std::move(xs_.back());
    xs_.pop_back();
    if (xs_.capacity() > 1024 && xs_.size() < xs_.capacity() / 4)
      xs_.shrink_to_fit();
    return x;
  }

private:
  std::vector<T> xs_;
};

/// (due, key) entries, 16 B each. Entries are never removed early: the owner of a
/// key checks, when it comes due, whether it still applies.
class timer_heap {
public:
  void push(time_point due, uint64_t key) { heap_.push({due, key}); }

  /// The earliest due time; `time_point::max()` when empty.
  time_point earliest() const noexcept {
    return heap_.empty() ? time_point::max() : heap_.top().due;
  }

  size_t size() const noexcept { return heap_.size(); }

  /// Calls `f(key, due)` for every entry due at or before `limit`, earliest first
  /// (then by key). `f` may push; what it pushes waits for the next call.
  template <class F>
  void pop_due(time_point limit, F&& f) {
    std::vector<entry> due;
    while (!heap_.empty() && heap_.top().due <= limit)
      due.push_back(heap_.pop());
    for (auto& e : due)
      f(e.key, e.due);
  }

private:
  struct entry {
    time_point due;
    uint64_t key;
  };

  struct later {
    bool operator()(const entry& x, const entry& y) const noexcept {
      return x.due != y.due ? x.due > y.due : x.key > y.key;
    }
  };

  min_heap<entry, later> heap_;
};

} // namespace vigil::detail
