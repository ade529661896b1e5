// Rate-limited logging of what peers cause (DESIGN §11): a peer that sends a thousand
// bad messages a second gets one line a second, plus the count of what was held back.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "vigil/messages/time.hpp"

namespace vigil {

/// At most `burst` lines per key (say, peer and reason) per `period`, over injected
/// time. The keys
/// it remembers are bounded: past `max_keys`, the ones quiet for a period are
/// forgotten, and if none is, new keys share one key (`"(other peers)"`), so a flood of
/// peers or reasons cannot grow it.
class log_limiter {
public:
  explicit log_limiter(duration period = std::chrono::seconds(1),
                       size_t max_keys = 1024, uint32_t burst = 1)
      : period_(period), max_keys_(max_keys), burst_(burst < 1 ? 1 : burst) {}

  /// Whether to write a line for `key` at `now`. When true, `held` is the number of
  /// lines for the key held back since its last line (say it in the line).
  bool allow(const std::string& key, time_point now, uint64_t& held);

  /// Keys remembered now (at most `max_keys` + 1).
  size_t size() const noexcept { return keys_.size(); }

private:
  struct entry {
    time_point window;  ///< When the current period began.
    uint32_t lines = 0; ///< Written in it.
    uint64_t held = 0;
  };
  duration period_;
  size_t max_keys_;
  uint32_t burst_;
  std::unordered_map<std::string, entry> keys_;
};

} // namespace vigil
