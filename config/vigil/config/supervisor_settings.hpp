// What a supervisor needs to know (DESIGN §3-§5); the names are the JSON keys.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include <caf/fwd.hpp>

#include "vigil/config/heartbeat_settings.hpp"
#include "vigil/config/store_settings.hpp"
#include "vigil/config/type_settings.hpp"
#include "vigil/config/watchdog_settings.hpp"

namespace vigil {

/// The settings agents of one type run with: the globals with the type's own keys in
/// their place.
struct resolved_type_settings {
  heartbeat_settings heartbeat;
  watchdog_settings watchdog;
  std::optional<duration> offline_retention;
  restart_settings restart;
};

/// Settings of one supervisor.
struct supervisor_settings {
  heartbeat_settings heartbeat; ///< For every agent type without its own entry.
  watchdog_settings watchdog;   ///< For every agent type without its own entry.
  /// Per agent type, the keys that differ from the globals (an unset key inherits).
  std::map<std::string, type_settings> types;
  /// For every agent type without its own `restart` keys: by default `temporary`
  /// (nothing is restarted).
  restart_settings restart;
  /// The supervisor-wide brake on restarts. Off (the default): none.
  std::optional<restart_rate_settings> restart_rate;
  duration retention = std::chrono::minutes(10); ///< Ended agents kept this long.
  /// An agent `offline` this long (from its transition to offline) ends `failed` with
  /// reason `lost`, and is purged after `retention` like any ended agent. Empty:
  /// offline agents are kept until they come back.
  std::optional<duration> offline_retention = std::chrono::hours(24);
  /// Most subscribers at once: one more is refused with `errc::invalid_request`
  /// (subscribe, how many there are, fewer than this) until one leaves.
  size_t max_subscribers = 1024;
  size_t history = 65536; ///< Events kept for replay and slow subscribers.
  /// Unacknowledged events in flight per subscriber: the most any one subscriber's
  /// mailbox holds because of us, however slow it reads.
  size_t subscriber_window = 4096;
  store_settings store; ///< The durable record (DESIGN §10); none by default.

  /// The heartbeat settings for agents of `type`: `heartbeat` with the keys that
  /// `types[type].heartbeat` sets in their place.
  heartbeat_settings heartbeat_for(const std::string& type) const;

  /// The watchdog settings for agents of `type`, resolved likewise.
  watchdog_settings watchdog_for(const std::string& type) const;

  /// How long an agent of `type` may stay offline before it ends `failed (lost)`.
  std::optional<duration> offline_retention_for(const std::string& type) const;

  /// How agents of `type` are restarted: `restart` with the keys that
  /// `types[type].restart` sets in their place (`backoff` key by key).
  restart_settings restart_for(const std::string& type) const;

  /// Everything agents of `type` run with (the three above at once).
  resolved_type_settings resolved(const std::string& type) const;
};

/// An empty error when the settings make sense, else `errc::bad_config` naming the
/// setting. A type's settings are checked as resolved, naming the key the type sets
/// (`types.coder.heartbeat.timeout`); a type that sets its interval or timeout needs a
/// timeout longer than the interval, as in JSON.
caf::error validate(const supervisor_settings& x);

} // namespace vigil
