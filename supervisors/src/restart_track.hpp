// What the supervisor keeps about the restarts of one id (DESIGN §12): the policy's
// history, which stays, and the one pending restart, which exists only while it is
// pending. Carried from an ended life's record to the new life's; made only once a
// policy restarts the id.
#pragma once

#include <cstdint>
#include <memory>
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

/// The one pending restart of an id: allocated when a restart is scheduled, freed
/// when it is made or given up (a restarted fleet keeps none of it, issue 21).
struct pending_restart {
  restart_phase phase = restart_phase::delayed;
  uint32_t attempt = 0;    ///< Of the pending restart.
  time_point due;          ///< When the pending restart is due.
  time_point requested_at; ///< When it was asked of a spawner.
  /// The one restart message that counts for this track: an earlier one that finds
  /// another time here (or no pending restart) is stale (CAF 0.17 cannot cancel a
  /// delayed message).
  time_point timer_at = time_point::max();
  interned_name cause;      ///< The reason of the end that called for it.
  interned_name spawn_node; ///< Where it was asked for (while requested).
};

/// A restart just made: what the new life's registration reports.
struct restart_made {
  uint32_t attempt = 0;
  uint32_t restarts = 0; ///< Made over all lives of the id, this one included.
  std::string cause;
};

/// What stays of an id's restarts: kept inline in the record's extras.
struct restart_track {
  restart_history history;
  /// The reason of the end that caused the last restart ("crashed", "lost", ...):
  /// interned, as a fleet's restarts share a handful of reasons.
  interned_name last_reason;
  /// The digest of the token of the life a restart replaced or is replacing: that
  /// life is refused (`superseded`) if it shows up again (DESIGN §12: one life per id).
  secret_digest replaced;
  std::unique_ptr<pending_restart> next; ///< The pending restart, if any.

  bool pending() const noexcept { return next != nullptr; }
  restart_phase phase() const noexcept {
    return next ? next->phase : restart_phase::none;
  }
};

} // namespace vigil::detail
