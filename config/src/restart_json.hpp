// The JSON readers of the restart sections (DESIGN §12), for the settings loader
// (settings_json.cpp). Each throws `json_read::json_read_error` at the bad value.
#pragma once

#include <optional>
#include <string>

#include <boost/json/fwd.hpp>

#include "vigil/config/restart_settings.hpp"
#include "vigil/config/type_settings.hpp"

namespace vigil::detail {

/// The global `restart` section at `ptr`: the keys it names, on top of `x`.
void read_restart(const boost::json::value& v, const std::string& ptr,
                  restart_settings& x);

/// A type's `restart` section at `ptr`: each key it names (`backoff` key by key) is
/// read and checked as the global one is, then kept as the type's own.
void read_restart_own(const boost::json::value& v, const std::string& ptr,
                      const restart_settings& global, restart_overrides& own);

/// `restart_rate` at `ptr`: `null` turns it off; an object sets the keys it names,
/// on top of the current rate or the defaults.
void read_restart_rate(const boost::json::value& v, const std::string& ptr,
                       std::optional<restart_rate_settings>& x);

/// The check across keys of a backoff as it stands (`max` at least `min`), reported
/// at a key the section at `ptr` wrote: a section that wrote neither has nothing to
/// answer for.
void check_backoff(const restart_backoff& x, const std::string& ptr, bool min_written,
                   bool max_written);

} // namespace vigil::detail
