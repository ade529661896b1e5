// Rate-limited logging of what peers cause (DESIGN §11): a peer that sends a thousand
// bad messages a second gets one line a second, plus the count of what was held back.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "vigil/messages/time.hpp"

namespace vigil {

/// One line per key (say, peer and reason) per `period`, over injected time. The keys
/// it remembers are bounded: past `max_keys`, the ones quiet for a period are
/// forgotten, and if none is, new keys share one key (`"(other peers)"`), so a flood of
/// peers or reasons cannot grow it.
class log_limiter {
public:
  explicit log_limiter(duration period = std::chrono::seconds(1),
                       size_t max_keys = 1024)
      : period_(period), max_keys_(max_keys) {}

  /// Whether to write a line for `key` at `now`. When true, `held` is the number of
  /// lines for the key held back since its last line (say it in the line).
  bool allow(const std::string& key, time_point now, uint64_t& held);

  /// Keys remembered now (at most `max_keys` + 1).
  size_t size() const noexcept { return keys_.size(); }

private:
  struct entry {
    time_point last_line;
    uint64_t held = 0;
  };
  duration period_;
  size_t max_keys_;
  std::unordered_map<std::string, entry> keys_;
};

} // namespace vigil
