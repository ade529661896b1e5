// The fleet record's storage: records found by id (queries, reports) and by numeric
// key (batched beats, timers), with no string hashing on the hot path.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent_record.hpp"

namespace vigil::detail {

/// Owns the records. A key is `life << 32 | slot`: the slot indexes a vector, and the
/// low 32 bits of the life tell a stale key (an ended, purged or replaced life in a
/// reused slot) from the current one. Records never move, so references stay valid
/// until `remove`.
class record_table {
public:
  /// The record of `id`, or null.
  agent_record* find(const std::string& id) {
    auto i = ids_.find(std::string_view{id});
    return i == ids_.end() ? nullptr : slots_[i->second].get();
  }

  /// The record `key` names, or null when the key is stale or was never given.
  agent_record* find(uint64_t key) noexcept {
    auto slot = static_cast<uint32_t>(key);
    if (slot >= slots_.size())
      return nullptr;
    auto* rec = slots_[slot].get();
    return rec && rec->key == key ? rec : nullptr;
  }

  /// Asks the cache for the slot `key` names, ahead of `find(key)`: a batch's beats
  /// look up records all over a million-record table, each lookup two dependent cache
  /// misses (the slot, then the record), which the batch loop overlaps this way.
  void prefetch_slot(uint64_t key) const noexcept {
    auto slot = static_cast<uint32_t>(key);
    if (slot < slots_.size())
      __builtin_prefetch(&slots_[slot]);
  }

  /// Asks the cache for the lines of the record `key` names that a beat reads.
  void prefetch_record(uint64_t key) const noexcept {
    auto slot = static_cast<uint32_t>(key);
    if (slot >= slots_.size())
      return;
    if (auto* rec = slots_[slot].get()) {
      auto* bytes = reinterpret_cast<const char*>(rec);
      __builtin_prefetch(bytes);
      __builtin_prefetch(bytes + 64);
      __builtin_prefetch(bytes + 128);
    }
  }

  /// A new record for `id` (the caller removed any earlier one), with a fresh life.
  agent_record& add(std::string id, std::string type, std::string node,
                    const heartbeat_settings& hb, time_point now) {
    uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    auto rec = std::make_unique<agent_record>(std::move(id), std::move(type),
                                              std::move(node), hb, now);
    rec->key = (next_life_++ << 32) | slot;
    ids_.emplace(std::string_view{rec->id}, slot);
    slots_[slot] = std::move(rec);
    return *slots_[slot];
  }

  /// Drops `rec`; its key turns stale.
  void remove(agent_record& rec) {
    auto slot = static_cast<uint32_t>(rec.key);
    ids_.erase(std::string_view{rec.id});
    slots_[slot].reset();
    free_.push_back(slot);
  }

  size_t size() const noexcept { return ids_.size(); }

  /// Calls `f(record)` for every record, in slot order.
  template <class F>
  void for_each(F&& f) {
    for (auto& rec : slots_)
      if (rec)
        f(*rec);
  }

private:
  std::vector<std::unique_ptr<agent_record>> slots_;
  std::vector<uint32_t> free_;
  /// Views of the records' own ids (a record never moves): no second copy of each.
  std::unordered_map<std::string_view, uint32_t> ids_;
  /// Starts anywhere: a restarted supervisor must not give out the keys of the last
  /// run again (an agent may still beat with one before it registers again).
  uint64_t next_life_ = std::random_device{}();
};

} // namespace vigil::detail
