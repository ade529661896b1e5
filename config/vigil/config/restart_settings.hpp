// Restart supervision settings (DESIGN §12); the names are the JSON keys.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/fwd.hpp>

#include "vigil/messages/time.hpp"

namespace vigil {

/// When an ended agent is started again (Erlang's restart types).
enum class restart_mode : uint8_t {
  temporary, ///< Never (the default).
  transient, ///< After a `failed` end, whatever its reason (error, crash, a dead
             ///< worker, a watchdog fire, `lost`).
  permanent, ///< After every end except an operator's kill (`kill_command`) and its
             ///< node's orderly shutdown (`node_shutdown`).
};

/// Where a new life starts.
enum class restart_placement : uint8_t {
  same_node, ///< On the node the agent lived on.
  any,       ///< On any node that offers the type: the one with the fewest live agents.
};

/// @relates restart_mode
std::string to_string(restart_mode x);

/// @relates restart_mode
bool from_string(std::string_view text, restart_mode& x);

/// @relates restart_placement
std::string to_string(restart_placement x);

/// @relates restart_placement
bool from_string(std::string_view text, restart_placement& x);

/// The pause before the n-th restart in a row of one id:
/// `d = min(max, min * factor^(n-1))`, drawn uniformly from `[d * (1 - jitter), d]`.
struct restart_backoff {
  duration min = std::chrono::seconds(1);
  duration max = std::chrono::minutes(5);
  double factor = 2.0; ///< At least 1.
  double jitter = 0.0; ///< In [0, 1); 0: exact delays.
};

/// The largest `restart_intensity::max`: the supervisor keeps the times of up to this
/// many recent restarts per id (8 B each), so the bound is also a memory bound.
constexpr uint32_t max_restart_intensity = 10000;

/// At most `max` restarts of one id within any window of `period`.
struct restart_intensity {
  uint32_t max = 5;
  duration period = std::chrono::minutes(1);

  friend bool operator==(const restart_intensity& x, const restart_intensity& y) {
    return x.max == y.max && x.period == y.period;
  }
  friend bool operator!=(const restart_intensity& x, const restart_intensity& y) {
    return !(x == y);
  }
};

/// How the agents of one type are restarted (global, and per type key by key).
///
/// ```json
/// "restart": {"policy": "transient",
///             "backoff": {"min": "1s", "max": "5m", "factor": 2, "jitter": 0.2},
///             "reset_after": "10m", "intensity": {"max": 5, "period": "1m"},
///             "placement": "same_node", "wait_for_spawner": "5m"}
/// ```
struct restart_settings {
  restart_mode policy = restart_mode::temporary;
  restart_backoff backoff;
  /// A life that ran this long since it registered starts the count of restarts in a
  /// row over (the next delay is `backoff.min` again). Off: never.
  std::optional<duration> reset_after = std::chrono::minutes(10);
  /// Off (the default): no limit.
  std::optional<restart_intensity> intensity;
  restart_placement placement = restart_placement::same_node;
  /// How long a due restart waits for a node that offers its type, then gives up
  /// (`no_spawner`). Off: it waits as long as it takes.
  std::optional<duration> wait_for_spawner = std::chrono::minutes(5);
};

/// The supervisor-wide brake on restarts: a token bucket of `burst` tokens refilled
/// at `per_second`. A due restart with no token left waits for the next one (in due
/// order, then by id); none is dropped.
struct restart_rate_settings {
  double per_second = 50; ///< Above 0, at most `max_restart_rate`.
  uint32_t burst = 100;   ///< At least 1.
};

/// The highest `restart_rate.per_second`: a token every nanosecond.
constexpr double max_restart_rate = 1e9;

/// An empty error when the settings make sense, else `errc::bad_config` naming the
/// setting (`restart.backoff.jitter must be in [0, 1), found 1`).
caf::error validate(const restart_settings& x);

/// @relates restart_rate_settings
caf::error validate(const restart_rate_settings& x);

} // namespace vigil
