#include "vigil/messages/interned.hpp"

#include <mutex>
#include <unordered_set>

namespace vigil {

namespace {

struct pool {
  std::mutex mtx;
  std::unordered_set<std::string> names;
};

pool& the_pool() {
  // Leaked on purpose: records may outlive static destruction order.
  static auto* x = new pool;
  return *x;
}

} // namespace

const std::string* find_interned(std::string_view x) {
  auto& p = the_pool();
  std::string key{x};
  std::lock_guard<std::mutex> guard{p.mtx};
  auto i = p.names.find(key);
  return i == p.names.end() ? nullptr : &*i;
}

const std::string* intern(std::string_view x) {
  auto& p = the_pool();
  std::string key{x};
  std::lock_guard<std::mutex> guard{p.mtx};
  if (auto i = p.names.find(key); i != p.names.end())
    return &*i;
  return &*p.names.emplace(std::move(key)).first;
}

} // namespace vigil
