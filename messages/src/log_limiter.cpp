#include "vigil/messages/log_limiter.hpp"

namespace vigil {

bool log_limiter::allow(const std::string& key, time_point now, uint64_t& held) {
  auto i = keys_.find(key);
  if (i == keys_.end()) {
    if (keys_.size() >= max_keys_) {
      for (auto j = keys_.begin(); j != keys_.end();)
        j = now - j->second.window >= period_ && j->second.held == 0 ? keys_.erase(j)
                                                                     : ++j;
    }
    if (keys_.size() >= max_keys_)
      i = keys_.try_emplace("(other peers)", entry{now - period_}).first;
    else
      i = keys_.emplace(key, entry{now - period_}).first;
  }
  auto& e = i->second;
  if (now - e.window >= period_) {
    e.window = now;
    e.lines = 0;
  }
  if (e.lines >= burst_) {
    ++e.held;
    return false;
  }
  ++e.lines;
  held = e.held;
  e.held = 0;
  return true;
}

} // namespace vigil
