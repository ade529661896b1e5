// What may differ per agent type: keys that inherit the globals unless set (DESIGN §8).
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "vigil/config/heartbeat_settings.hpp"
#include "vigil/config/restart_settings.hpp"
#include "vigil/config/watchdog_settings.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// The type of `vigil::inherit`.
struct inherit_t {
  explicit constexpr inherit_t(int) noexcept {}
};

/// Unsets a per-type key: the type inherits the global value again (a JSON `types`
/// entry that does not name the key).
inline constexpr inherit_t inherit{0};

/// "Off" for a key whose value may be off (JSON `null`), e.g.
/// `cfg.types["batch"].watchdog.idle_timeout = vigil::off;`. The same as
/// `std::nullopt`, which also says "off" to a `type_key`: only `vigil::inherit` (or
/// never setting the key) inherits, and `= {}` does not compile.
inline constexpr std::nullopt_t off = std::nullopt;

/// One key of a per-type entry: unset, the type inherits the global value; set, the
/// type has its own. Assigning a value sets it:
///
/// ```cpp
/// cfg.types["coder"].heartbeat.timeout = std::chrono::minutes(2); // the rest inherit
/// cfg.types["coder"].watchdog.max_session = vigil::off; // off here, whatever the
/// global cfg.types["coder"].heartbeat.timeout = vigil::inherit; // the global's again
/// ```
template <class T>
class type_key {
public:
  constexpr type_key() noexcept = default;

  constexpr type_key(inherit_t) noexcept {}

  /// Sets the key (implicitly, so that `key = value;` reads as it does for the
  /// globals).
  template <class U,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<U>, type_key> &&
                                     !std::is_same_v<std::decay_t<U>, inherit_t> &&
                                     std::is_convertible_v<U&&, T>>>
  constexpr type_key(U&& x) : value_(std::in_place, std::forward<U>(x)) {}

  /// Sets the key. `key = {}` does not compile (it could mean "inherit" or "off"):
  /// write `vigil::inherit` or `vigil::off`.
  template <class U,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<U>, type_key> &&
                                     !std::is_same_v<std::decay_t<U>, inherit_t> &&
                                     std::is_convertible_v<U&&, T>>>
  constexpr type_key& operator=(U&& x) {
    value_.emplace(std::forward<U>(x));
    return *this;
  }

  constexpr type_key& operator=(const T& x) {
    value_.emplace(x);
    return *this;
  }

  constexpr type_key(const type_key&) = default;
  constexpr type_key(type_key&&) noexcept = default;
  constexpr type_key& operator=(const type_key&) = default;
  constexpr type_key& operator=(type_key&&) noexcept = default;

  /// Whether the type sets this key.
  constexpr bool is_set() const noexcept { return value_.has_value(); }

  constexpr explicit operator bool() const noexcept { return is_set(); }

  /// The type's own value; only when set.
  constexpr const T& operator*() const noexcept { return *value_; }

  constexpr T& operator*() noexcept { return *value_; }

  /// The type's own value if set, else `global`.
  constexpr const T& value_or(const T& global) const noexcept {
    return value_ ? *value_ : global;
  }

  friend constexpr bool operator==(const type_key& x, const type_key& y) {
    return x.value_ == y.value_;
  }

  friend constexpr bool operator!=(const type_key& x, const type_key& y) {
    return !(x == y);
  }

private:
  std::optional<T> value_;
};

/// The heartbeat keys of one agent type; each unset key inherits
/// `supervisor_settings::heartbeat`.
struct heartbeat_overrides {
  type_key<duration> interval;
  type_key<duration> timeout;
  type_key<duration> check_interval;
  type_key<int> max_missed;
  type_key<duration> lag_grace;
  type_key<duration> lateness_cap;

  /// Calls `f(json_key, &heartbeat_settings::member, &heartbeat_overrides::member)` for
  /// every key: resolving, reading and scaling walk the keys with it, so a new key is
  /// one line here.
  template <class F>
  static void each_key(F&& f) {
    using g = heartbeat_settings;
    using o = heartbeat_overrides;
    f("interval", &g::interval, &o::interval);
    f("timeout", &g::timeout, &o::timeout);
    f("check_interval", &g::check_interval, &o::check_interval);
    f("max_missed", &g::max_missed, &o::max_missed);
    f("lag_grace", &g::lag_grace, &o::lag_grace);
    f("lateness_cap", &g::lateness_cap, &o::lateness_cap);
  }
};

/// The watchdog keys of one agent type; each unset key inherits
/// `supervisor_settings::watchdog`, and a set key may be `vigil::off`.
struct watchdog_overrides {
  type_key<std::optional<duration>> idle_timeout;
  type_key<std::optional<duration>> max_session;
  type_key<std::optional<duration>> max_waiting_on_child;
  type_key<std::optional<duration>> max_waiting_on_child_no_progress;
  type_key<std::optional<duration>> suspect_waiting_on_child;
  type_key<std::optional<duration>> drain_window;
  type_key<std::optional<duration>> status_interval;

  /// Like `heartbeat_overrides::each_key`, over `watchdog_settings`.
  template <class F>
  static void each_key(F&& f) {
    using g = watchdog_settings;
    using o = watchdog_overrides;
    f("idle_timeout", &g::idle_timeout, &o::idle_timeout);
    f("max_session", &g::max_session, &o::max_session);
    f("max_waiting_on_child", &g::max_waiting_on_child, &o::max_waiting_on_child);
    f("max_waiting_on_child_no_progress", &g::max_waiting_on_child_no_progress,
      &o::max_waiting_on_child_no_progress);
    f("suspect_waiting_on_child", &g::suspect_waiting_on_child,
      &o::suspect_waiting_on_child);
    f("drain_window", &g::drain_window, &o::drain_window);
    f("status_interval", &g::status_interval, &o::status_interval);
  }
};

/// The backoff keys of one agent type (`restart.backoff`), each inheriting
/// `supervisor_settings::restart.backoff` unless set.
struct backoff_overrides {
  type_key<duration> min;
  type_key<duration> max;
  type_key<double> factor;
  type_key<double> jitter;

  /// Like `heartbeat_overrides::each_key`, over `restart_backoff`.
  template <class F>
  static void each_key(F&& f) {
    using g = restart_backoff;
    using o = backoff_overrides;
    f("min", &g::min, &o::min);
    f("max", &g::max, &o::max);
    f("factor", &g::factor, &o::factor);
    f("jitter", &g::jitter, &o::jitter);
  }
};

/// The restart keys of one agent type; each unset key inherits
/// `supervisor_settings::restart` (`backoff` key by key, see `backoff_overrides`).
struct restart_overrides {
  type_key<restart_mode> policy;
  backoff_overrides backoff; ///< Not in `each_key`: resolved on its own.
  type_key<std::optional<duration>> reset_after;
  type_key<std::optional<restart_intensity>> intensity;
  type_key<restart_placement> placement;
  type_key<std::optional<duration>> wait_for_spawner;

  /// Like `heartbeat_overrides::each_key`, over `restart_settings` (all but `backoff`).
  template <class F>
  static void each_key(F&& f) {
    using g = restart_settings;
    using o = restart_overrides;
    f("policy", &g::policy, &o::policy);
    f("reset_after", &g::reset_after, &o::reset_after);
    f("intensity", &g::intensity, &o::intensity);
    f("placement", &g::placement, &o::placement);
    f("wait_for_spawner", &g::wait_for_spawner, &o::wait_for_spawner);
  }
};

/// What may differ per agent type, key by key, in C++ exactly as in a JSON `types`
/// entry: a key left unset inherits the global one, so
/// `cfg.types["coder"].heartbeat.timeout = std::chrono::minutes(2);` keeps every other
/// key of `cfg.heartbeat`, `cfg.watchdog` and `cfg.offline_retention`. The settings a
/// type runs with: `supervisor_settings::heartbeat_for(type)` and its siblings.
struct type_settings {
  heartbeat_overrides heartbeat;
  watchdog_overrides watchdog;
  /// `vigil::off`: agents of this type stay offline until they come back.
  type_key<std::optional<duration>> offline_retention;
  restart_overrides restart;
};

/// `global` with the keys that `own` sets in their place (`Overrides` is a section of
/// `type_settings`, `Settings` the global section it overrides).
template <class Settings, class Overrides>
Settings resolve(Settings global, const Overrides& own) {
  Overrides::each_key([&](const char*, auto global_key, auto own_key) {
    if (auto& x = own.*own_key)
      global.*global_key = *x;
  });
  return global;
}

} // namespace vigil
