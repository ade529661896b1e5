#include "vigil/messages/interned.hpp"

#include <atomic>
#include <mutex>
#include <unordered_map>

namespace vigil {

/// A name and its references. Lives in the pool's node, so its address is stable.
struct interned_name::entry {
  const std::string* text = nullptr;
  std::atomic<size_t> refs{0};
};

namespace {

struct pool {
  std::mutex mtx;
  std::unordered_map<std::string, interned_name::entry> names;
};

pool& the_pool() {
  // Leaked on purpose: references may outlive static destruction order.
  static auto* x = new pool;
  return *x;
}

} // namespace

interned_name::interned_name(std::string_view x) {
  auto& p = the_pool();
  std::lock_guard<std::mutex> guard{p.mtx};
  auto [i, added] = p.names.try_emplace(std::string{x});
  if (added)
    i->second.text = &i->first;
  i->second.refs.fetch_add(1, std::memory_order_relaxed);
  entry_ = &i->second;
}

interned_name::interned_name(const interned_name& other) noexcept
    : entry_(other.entry_) {
  // The source holds a reference meanwhile: the count cannot reach zero under us.
  if (entry_)
    entry_->refs.fetch_add(1, std::memory_order_relaxed);
}

interned_name::~interned_name() {
  if (!entry_)
    return;
  // Under the lock, so that a lookup never finds an entry on its way out.
  auto& p = the_pool();
  std::lock_guard<std::mutex> guard{p.mtx};
  if (entry_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
    p.names.erase(p.names.find(*entry_->text));
}

const std::string* interned_name::get() const noexcept {
  return entry_ ? entry_->text : nullptr;
}

const std::string* find_interned(std::string_view x) {
  auto& p = the_pool();
  std::string key{x};
  std::lock_guard<std::mutex> guard{p.mtx};
  auto i = p.names.find(key);
  return i == p.names.end() ? nullptr : i->second.text;
}

size_t interned_names() {
  auto& p = the_pool();
  std::lock_guard<std::mutex> guard{p.mtx};
  return p.names.size();
}

} // namespace vigil
