// Liveness deadlines of the whole fleet behind one delayed message (DESIGN §4): the
// CAF clock holds one entry for the earliest deadline, not one per agent.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "vigil/messages/time.hpp"

namespace vigil::detail {

/// Keys by exact due time. Agents that beat in the same tick share one bucket, so a
/// fleet's deadlines cost one map node per distinct instant, and verdicts stay exact
/// to the nanosecond (no coarse tick). Entries are never removed early: the owner of
/// a key checks whether an entry is still its current one when it comes due (lazy
/// re-arm).
class deadline_queue {
public:
  void push(time_point due, uint64_t key) { buckets_[due].push_back(key); }

  /// The earliest due time; `time_point::max()` when empty.
  time_point earliest() const noexcept {
    return buckets_.empty() ? time_point::max() : buckets_.begin()->first;
  }

  /// Calls `f(key, due)` for every entry due at or before `limit`, earliest first and
  /// in push order within an instant. `f` may push; what it pushes waits for the next
  /// call, even when due by `limit`. `ahead(key, far)` is told each key 16 entries
  /// (`far`) and again 8 entries before `f` gets it, to prefetch what `f` will read in
  /// two steps: a fleet's phase comes due together, tens of thousands of entries at
  /// one instant.
  template <class F, class Ahead>
  void pop_due(time_point limit, F&& f, Ahead&& ahead) {
    std::vector<decltype(buckets_)::node_type> due;
    while (!buckets_.empty() && buckets_.begin()->first <= limit)
      due.push_back(buckets_.extract(buckets_.begin()));
    for (auto& node : due) {
      auto& keys = node.mapped();
      for (size_t i = 0; i < keys.size(); ++i) {
        if (i + 16 < keys.size())
          ahead(keys[i + 16], true);
        if (i + 8 < keys.size())
          ahead(keys[i + 8], false);
        f(keys[i], node.key());
      }
    }
  }

  template <class F>
  void pop_due(time_point limit, F&& f) {
    pop_due(limit, std::forward<F>(f), [](uint64_t, bool) {});
  }

private:
  std::map<time_point, std::vector<uint64_t>> buckets_;
};

} // namespace vigil::detail
