// Range checks for settings built in code (the JSON loader reports with file
// positions).
#include <string>

#include <caf/error.hpp>

#include "vigil/config/agent_settings.hpp"
#include "vigil/config/heartbeat_settings.hpp"
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
  return caf::none;
}

} // namespace vigil
