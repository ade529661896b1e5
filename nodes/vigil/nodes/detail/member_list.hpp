// Actor handles in no particular order, each added, found and removed in O(1) by its
// address: an uplink's agents end by the thousand when their node stops, and erasing
// each from the middle of a vector made that O(N^2).
#pragma once

#include <cstddef>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/actor_addr.hpp>

namespace vigil::detail {

/// A set of handles (`caf::actor` or any `caf::typed_actor`) keyed by address. A
/// removal moves the last member into the gap (swap and pop), so iteration order is
/// not the order of addition.
template <class Handle>
class member_list {
public:
  /// Adds `x`; false (and nothing changes) when a member has its address already.
  bool add(Handle x) {
    auto [i, added] = index_.emplace(x.address(), items_.size());
    if (!added)
      return false;
    items_.push_back(std::move(x));
    return true;
  }

  /// Removes the member with address `who`; false when there is none.
  bool remove(const caf::actor_addr& who) {
    auto i = index_.find(who);
    if (i == index_.end())
      return false;
    auto pos = i->second;
    index_.erase(i);
    if (pos + 1 != items_.size()) {
      items_[pos] = std::move(items_.back());
      index_[items_[pos].address()] = pos;
    }
    items_.pop_back();
    return true;
  }

  bool contains(const caf::actor_addr& who) const { return index_.count(who) > 0; }

  size_t size() const noexcept { return items_.size(); }

  auto begin() const noexcept { return items_.begin(); }

  auto end() const noexcept { return items_.end(); }

private:
  std::vector<Handle> items_;
  std::unordered_map<caf::actor_addr, size_t> index_; ///< Address -> position.
};

} // namespace vigil::detail
