// Where the supervisor keeps its durable record (DESIGN §10); the names are the JSON
// keys of "store".
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "vigil/messages/time.hpp"

namespace vigil {

enum class store_kind { none, sqlite, redis };

/// @relates store_kind
std::string to_string(store_kind x);

struct store_settings {
  store_kind kind = store_kind::none;
  std::string path; ///< sqlite: the database file (created if missing).
  /// redis: `redis://HOST[:PORT][/DB]` (port 6379 and database 0 by default).
  std::string url = "redis://127.0.0.1:6379/0";
  std::string prefix = "vigil"; ///< redis: the start of every key and the channel.
  /// A batch is committed (one transaction) when it holds this many events, or
  /// `batch_interval` after its first event, whichever comes first.
  size_t batch_size = 256;
  duration batch_interval = std::chrono::milliseconds(50);
  /// Events kept while the store fails; beyond it the oldest are dropped, and counted.
  size_t buffer = 100000;
  size_t stream_maxlen = 100000; ///< redis: the events stream is capped near this.
  /// redis: how long to wait to connect and for each answer; past it the connection is
  /// dropped and the commit retried on a new one (a commit applies once: by seq).
  duration reply_timeout = std::chrono::seconds(2);
  /// sqlite: events older than this are pruned (seqs are never reused); empty keeps
  /// every event.
  std::optional<duration> events_retention = std::chrono::hours(24 * 7);
};

/// Checks a redis `store.url` where the settings are read (`read_settings`): the
/// scheme here, and the rest (`parse_redis_url` of `<vigil/stores/redis_url.hpp>`, by
/// Boost.URL) in a program that links the Redis store, vigil::redis, which installs
/// that check with `set_redis_url_check` while the program starts. False, with `why`
/// saying what was expected and what was found, when `url` is refused.
bool check_redis_url(const std::string& url, std::string& why);

/// A full check of a redis URL, as `check_redis_url` runs it after the scheme's.
using redis_url_check = bool (*)(const std::string& url, std::string& why);

/// Installs the check `check_redis_url` runs after the scheme's (null: none).
void set_redis_url_check(redis_url_check check) noexcept;

} // namespace vigil
