#include "vigil/messages/interned.hpp"

#include <mutex>
#include <unordered_set>

namespace vigil {

const std::string* intern(std::string_view x) {
  static std::mutex mtx;
  // Leaked on purpose: records may outlive static destruction order.
  static auto* pool = new std::unordered_set<std::string>;
  std::string key{x};
  std::lock_guard<std::mutex> guard{mtx};
  if (auto i = pool->find(key); i != pool->end())
    return &*i;
  return &*pool->emplace(std::move(key)).first;
}

} // namespace vigil
