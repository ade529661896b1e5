// What restart events do to an agent's stored row (DESIGN §12), one reading for every
// store of the rules on `stored_agent`'s restart fields (fleet_store.hpp).
#pragma once

#include <string>
#include <string_view>

#include <caf/optional.hpp>

#include "vigil/messages/event.hpp"

namespace vigil::detail {

/// The reason of the `registered` event of a restarted life.
constexpr std::string_view restarted_reason = "restarted";

/// The last restart reason a `registered` event leaves in its row: the cause (its
/// `details`) for a restarted life; empty for an id without restarts; none, meaning the
/// replaced row's, for another registration of an id that restarted before (the event
/// carries the count, which the row takes, but not the reason).
inline caf::optional<std::string> last_restart_reason_of(const event& e) {
  if (e.reason == restarted_reason)
    return e.details;
  if (e.restarts == 0)
    return std::string{};
  return caf::none;
}

} // namespace vigil::detail
