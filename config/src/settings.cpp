// Checks and lookups of settings built in code (the JSON loader reports file
// positions).
#include <string>

#include <caf/error.hpp>

#include "vigil/config/agent_settings.hpp"
#include "vigil/config/heartbeat_settings.hpp"
#include "vigil/config/supervisor_settings.hpp"
#include "vigil/config/watchdog_settings.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil {

namespace {

caf::error positive(const char* name, duration x) {
  if (x > duration::zero())
    return caf::none;
  return make_error(errc::bad_config, std::string{name},
                    "must be positive, found " + format_duration(x));
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
  if (x.lag_grace < duration::zero())
    return make_error(errc::bad_config, std::string{"heartbeat.lag_grace"},
                      "must not be negative, found " + format_duration(x.lag_grace));
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

const heartbeat_settings&
supervisor_settings::heartbeat_for(const std::string& type) const {
  auto i = types.find(type);
  return i != types.end() ? i->second.heartbeat : heartbeat;
}

const watchdog_settings&
supervisor_settings::watchdog_for(const std::string& type) const {
  auto i = types.find(type);
  return i != types.end() ? i->second.watchdog : watchdog;
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

caf::error validate(const supervisor_settings& x) {
  if (auto err = validate(x.heartbeat))
    return err;
  if (auto err = validate(x.watchdog))
    return err;
  for (auto& [type, ts] : x.types) {
    auto err = validate(ts.heartbeat);
    if (!err)
      err = validate(ts.watchdog);
    if (err)
      return make_error(errc::bad_config, "types." + type,
                        describe(errc::bad_config, err.context()));
  }
  if (auto err = positive("retention", x.retention))
    return err;
  if (x.history < 1)
    return make_error(errc::bad_config, std::string{"history"},
                      std::string{"must be at least 1, found 0"});
  if (x.subscriber_window < 1)
    return make_error(errc::bad_config, std::string{"subscriber_window"},
                      std::string{"must be at least 1, found 0"});
  return caf::none;
}

} // namespace vigil
