// The Redis store's commit: one Lua script that applies a batch once each by seq
// (DESIGN §14), and the EVAL call that carries a batch to it.
#pragma once

#include <string>
#include <vector>

#include "vigil/config/store_settings.hpp"
#include "vigil/messages/event.hpp"

namespace vigil::detail {

/// `EVAL script numkeys keys... args...` committing `events` (in seq order) under
/// `cfg.prefix`. The script skips every event at or below the newest committed seq
/// (`PREFIX:seq`, or the stream's newest entry should that be higher), so a call that
/// the server runs late or twice (a retry after a reply timed out) appends, applies and
/// publishes nothing again. Its answer: how many events it applied.
std::vector<std::string> commit_call(const std::vector<event>& events,
                                     time_point origin, const store_settings& cfg);

} // namespace vigil::detail
