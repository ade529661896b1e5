// All settings in one JSON shape (DESIGN §8), and the loader for settings files.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "vigil/config/agent_settings.hpp"
#include "vigil/config/config_problem.hpp"
#include "vigil/config/supervisor_settings.hpp"

namespace vigil {

/// Everything a settings file can say. Default-constructed, it holds the defaults that
/// `config/defaults.json` writes out.
///
/// ```json
/// { "heartbeat": {"interval": "10s", "timeout": "30s", "check_interval": "5s",
///                 "max_missed": 3, "lag_grace": "2s", "lateness_cap": "30s"},
///   "watchdog": {"idle_timeout": null, "max_session": null, ...},
///   "exhausted": {"default_recovery": "5h"},
///   "retention": "10m", "history": 65536, "subscriber_window": 4096,
///   "slot_queue": 16, "log": {"level": "info"},
///   "restart": {"policy": "temporary", "backoff": {...}, ...}, "restart_rate": null,
///   "types": {"coder": {"heartbeat": {"timeout": "2m"}, "watchdog": {...},
///                       "restart": {"policy": "transient"}}} }
/// ```
/// Per-type entries override the global values key by key: `supervisor.types` keeps
/// the keys each names (over every layer read), so a later layer that changes a global
/// changes it for every type that does not name that key.
struct settings {
  supervisor_settings supervisor;
  agent_settings agent;
  std::string log_level = "info"; ///< trace, debug, info, warn, error or off.

  /// The agent settings for agents of `type` (its heartbeat interval).
  agent_settings agent_for(const std::string& type) const;
};

/// Reads settings from JSON text on top of `base`; on a problem returns nothing and
/// fills `why` (with `file` set).
std::optional<settings> read_settings(std::string_view text, const std::string& file,
                                      config_problem& why, const settings& base);

/// Reads settings from JSON text on top of the defaults.
std::optional<settings> read_settings(std::string_view text, const std::string& file,
                                      config_problem& why);

/// Reads a settings file; an unreadable file is a problem too.
std::optional<settings> read_settings_file(const std::string& path, config_problem& why,
                                           const settings& base);

/// Reads a settings file on top of the defaults.
std::optional<settings> read_settings_file(const std::string& path,
                                           config_problem& why);

/// For formats that embed settings (a scenario's "settings"): applies `v`, found at
/// `pointer`, on top of `x`. Throws `json_read::json_read_error`.
void apply_settings(const boost::json::value& v, const std::string& pointer,
                    settings& x);

} // namespace vigil
