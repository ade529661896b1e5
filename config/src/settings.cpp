// Checks and lookups of settings built in code (the JSON loader reports file
// positions).
#include <string>

#include <caf/error.hpp>
#include <caf/message.hpp>

#include "vigil/config/agent_settings.hpp"
#include "vigil/config/detail/setting_checks.hpp"
#include "vigil/config/heartbeat_settings.hpp"
#include "vigil/config/supervisor_settings.hpp"
#include "vigil/config/watchdog_settings.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil {

namespace detail {

caf::error positive(const char* name, duration x) {
  if (x > max_setting_span)
    return make_error(errc::bad_config, std::string{name},
                      "must be at most " + format_duration(max_setting_span) +
                          ", found " + format_duration(x));
  if (x > duration::zero())
    return caf::none;
  return make_error(errc::bad_config, std::string{name},
                    "must be positive, found " + format_duration(x));
}

} // namespace detail

namespace {

using detail::positive;
constexpr duration max_span = detail::max_setting_span;

// A type that sets its interval or its timeout must keep the timeout longer than the
// interval, as the JSON loader demands: else its agents miss beats all the time.
caf::error timeout_after_interval(const heartbeat_overrides& own,
                                  const heartbeat_settings& x) {
  if (!own.interval && !own.timeout)
    return caf::none; // both global: the global's business
  if (x.timeout > x.interval)
    return caf::none;
  if (own.timeout)
    return make_error(errc::bad_config, std::string{"heartbeat.timeout"},
                      "must be longer than the interval (" +
                          format_duration(x.interval) + "), found " +
                          format_duration(x.timeout));
  return make_error(errc::bad_config, std::string{"heartbeat.interval"},
                    "must be shorter than the timeout (" + format_duration(x.timeout) +
                        "), found " + format_duration(x.interval));
}

// A type that sets its backoff's min but not its max must keep min within the global
// max: named at the key the type wrote (`validate(restart_settings)` names `max`).
caf::error min_within_max(const backoff_overrides& own, const restart_backoff& x) {
  if (!own.min || own.max || x.min <= x.max)
    return caf::none;
  return make_error(errc::bad_config, std::string{"restart.backoff.min"},
                    "must be at most backoff.max (" + format_duration(x.max) +
                        "), found " + format_duration(x.min));
}

} // namespace

caf::error validate(const heartbeat_settings& x) {
  if (auto err = positive("heartbeat.interval", x.interval))
    return err;
  if (auto err = positive("heartbeat.timeout", x.timeout))
    return err;
  if (auto err = positive("heartbeat.check_interval", x.check_interval))
    return err;
  if (x.max_missed < 1)
    return make_error(errc::bad_config, std::string{"heartbeat.max_missed"},
                      "must be at least 1, found " + std::to_string(x.max_missed));
  if (x.lag_grace < duration::zero() || x.lag_grace > max_span)
    return make_error(errc::bad_config, std::string{"heartbeat.lag_grace"},
                      "must be from 0s to " + format_duration(max_span) + ", found " +
                          format_duration(x.lag_grace));
  if (x.lateness_cap < duration::zero() || x.lateness_cap > max_span)
    return make_error(errc::bad_config, std::string{"heartbeat.lateness_cap"},
                      "must be from 0s to " + format_duration(max_span) + ", found " +
                          format_duration(x.lateness_cap));
  // The offline verdict comes at timeout + (max_missed - 1) * check_interval, plus a
  // node's lateness (up to the cap) and the supervisor's own grace.
  auto horizon = static_cast<__int128>(x.timeout.count()) +
                 static_cast<__int128>(x.max_missed - 1) * x.check_interval.count() +
                 x.lag_grace.count() + x.lateness_cap.count();
  if (horizon > max_span.count())
    return make_error(errc::bad_config, std::string{"heartbeat"},
                      "timeout + (max_missed - 1) * check_interval + lag_grace + "
                      "lateness_cap must be at most " +
                          format_duration(max_span));
  return caf::none;
}

caf::error validate(const agent_settings& x) {
  if (auto err = positive("heartbeat.interval", x.heartbeat_interval))
    return err;
  if (auto err = positive("exhausted.default_recovery", x.default_recovery))
    return err;
  if (auto err = positive("activity_report_interval", x.activity_report_interval))
    return err;
  return caf::none;
}

heartbeat_settings supervisor_settings::heartbeat_for(const std::string& type) const {
  auto i = types.find(type);
  return i != types.end() ? resolve(heartbeat, i->second.heartbeat) : heartbeat;
}

std::optional<duration>
supervisor_settings::offline_retention_for(const std::string& type) const {
  auto i = types.find(type);
  return i != types.end() ? i->second.offline_retention.value_or(offline_retention)
                          : offline_retention;
}

watchdog_settings supervisor_settings::watchdog_for(const std::string& type) const {
  auto i = types.find(type);
  return i != types.end() ? resolve(watchdog, i->second.watchdog) : watchdog;
}

restart_settings supervisor_settings::restart_for(const std::string& type) const {
  auto i = types.find(type);
  if (i == types.end())
    return restart;
  auto result = resolve(restart, i->second.restart);
  result.backoff = resolve(restart.backoff, i->second.restart.backoff);
  return result;
}

resolved_type_settings supervisor_settings::resolved(const std::string& type) const {
  return {heartbeat_for(type), watchdog_for(type), offline_retention_for(type),
          restart_for(type)};
}

caf::error validate(const watchdog_settings& x) {
  struct entry {
    const char* name;
    const std::optional<duration>& value;
    bool zero_ok;
  };
  const entry entries[] = {
      {"watchdog.idle_timeout", x.idle_timeout, false},
      {"watchdog.max_session", x.max_session, false},
      {"watchdog.max_waiting_on_child", x.max_waiting_on_child, false},
      {"watchdog.max_waiting_on_child_no_progress", x.max_waiting_on_child_no_progress,
       false},
      {"watchdog.suspect_waiting_on_child", x.suspect_waiting_on_child, true},
      {"watchdog.drain_window", x.drain_window, true},
      {"watchdog.status_interval", x.status_interval, false},
  };
  for (auto& e : entries) {
    if (!e.value || (e.zero_ok && *e.value == duration::zero()))
      continue;
    if (auto err = positive(e.name, *e.value))
      return err;
  }
  return caf::none;
}

namespace {

// A type's settings as resolved: the globals were checked first, so a problem found
// here comes from a key the type sets (or from the keys together), and is named
// `types.<type>.<key>`.
caf::error validate_type(const supervisor_settings& x, const std::string& type,
                         const type_settings& own) {
  auto r = x.resolved(type);
  auto err = validate(r.heartbeat);
  if (!err)
    err = timeout_after_interval(own.heartbeat, r.heartbeat);
  if (!err)
    err = validate(r.watchdog);
  if (!err && r.offline_retention)
    err = positive("offline_retention", *r.offline_retention);
  if (!err)
    err = min_within_max(own.restart.backoff, r.restart.backoff);
  if (!err)
    err = validate(r.restart); // names "restart.<key>"
  if (!err)
    return caf::none;
  auto& ctx = err.context();
  if (ctx.size() != 2 || !ctx.match_element<std::string>(0) ||
      !ctx.match_element<std::string>(1))
    return err;
  return make_error(errc::bad_config,
                    "types." + type + "." + ctx.get_as<std::string>(0),
                    ctx.get_as<std::string>(1));
}

} // namespace

caf::error validate(const supervisor_settings& x) {
  if (auto err = validate(x.heartbeat))
    return err;
  if (auto err = validate(x.watchdog))
    return err;
  if (auto err = positive("retention", x.retention))
    return err;
  if (x.offline_retention)
    if (auto err = positive("offline_retention", *x.offline_retention))
      return err;
  if (auto err = validate(x.restart))
    return err;
  if (x.restart_rate)
    if (auto err = validate(*x.restart_rate))
      return err;
  for (auto& [type, own] : x.types)
    if (auto err = validate_type(x, type, own))
      return err;
  if (auto err = positive("store.reply_timeout", x.store.reply_timeout))
    return err;
  if (x.store.events_retention)
    if (auto err = positive("store.events_retention", *x.store.events_retention))
      return err;
  if (x.max_subscribers < 1)
    return make_error(errc::bad_config, std::string{"max_subscribers"},
                      std::string{"must be at least 1, found 0"});
  if (x.history < 1)
    return make_error(errc::bad_config, std::string{"history"},
                      std::string{"must be at least 1, found 0"});
  if (x.subscriber_window < 1)
    return make_error(errc::bad_config, std::string{"subscriber_window"},
                      std::string{"must be at least 1, found 0"});
  return caf::none;
}

} // namespace vigil
