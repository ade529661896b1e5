// What the supervisor keeps about the restarts of one id (DESIGN §12): the policy's
// history and the one pending restart. Carried from an ended life's record to the new
// life's; allocated only once a policy restarts the id.
#pragma once

#include <cstdint>
#include <string>

#include "vigil/messages/credentials.hpp"
#include "vigil/messages/interned.hpp"
#include "vigil/supervisors/restart_policy.hpp"

namespace vigil::detail {

/// Where a pending restart stands.
enum class restart_phase : uint8_t {
  none,      ///< Nothing pending.
  delayed,   ///< Waiting for its `due` time (the backoff).
  spawner,   ///< Due; waiting for a node that offers its type.
  token,     ///< Has its spawner; waiting for a token of `restart_rate`.
  requested, ///< Asked of a spawner; waiting for the new life to register.
};

struct restart_track {
  restart_history history;
  restart_phase phase = restart_phase::none;
  uint32_t attempt = 0;    ///< Of the pending restart.
  time_point due;          ///< When the pending restart is due.
  time_point requested_at; ///< When it was asked of a spawner.
  /// The one restart message that counts for this track: an earlier one that finds
  /// another time here is stale (CAF 0.17 cannot cancel a delayed message).
  time_point timer_at = time_point::max();
  std::string cause;        ///< The reason of the end that called for it.
  interned_name spawn_node; ///< Where it was asked for (while requested).
  /// The digest of the token of the life a restart replaced or is replacing: that
  /// life is refused (`superseded`) if it shows up again (DESIGN §12: one life per id).
  secret_digest replaced;

  bool pending() const noexcept { return phase != restart_phase::none; }
};

} // namespace vigil::detail
