// One agent in the supervisor's fleet record.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/optional.hpp>

#include "restart_track.hpp"
#include "vigil/config/supervisor_settings.hpp"
#include "vigil/messages/credentials.hpp"
#include "vigil/messages/interned.hpp"
#include "vigil/supervisors/heartbeat_policy.hpp"
#include "vigil/supervisors/watchdog_policy.hpp"

namespace vigil::detail {

/// What few records have: the text of a failure, a restart history. One pointer for
/// both keeps the record within its 256 B allocation; the restart history is inline,
/// so a restarted id costs one allocation that stays (its pending restart is another
/// one, freed once the restart is made or given up).
struct record_extras {
  /// Interned: a mass failure ends thousands of lives with the same words.
  interned_name last_error;
  std::optional<restart_track> restart; ///< Once a policy restarts the id.
};

/// One agent in the fleet record.
struct agent_record {
  agent_record(std::string id, std::string type, std::string node,
               const heartbeat_settings& hb, time_point now)
      : id(std::move(id)), type(type), node(node), registered_at(now), beats(hb, now) {}

  std::string id;
  interned_name type; ///< A fleet has a handful of types and nodes.
  interned_name node;
  uint64_t key = 0; ///< `life << 32 | slot`: names this life in batches and timers.
  caf::actor owner; ///< Strong: a registered agent is not "unreachable".
  /// The digest of this life's token (DESIGN §11): what proves its messages, and its
  /// claim to the id after a reconnect or a restart. Kept in the store too.
  secret_digest token;
  /// Proves a pacer's beats for this life: compared per beat without hashing; in
  /// memory only, new with every registration.
  uint64_t beat_secret = 0;
  agent_state state = agent_state::spawning;
  bool owner_down = false; ///< Its actor is gone (or its node unreachable).
  /// Its node showed the node's key when this life registered: the node may take the
  /// id back with that key once the life is lost.
  bool node_keyed = false;
  uint64_t version = 0;
  // A million records: time points with `none` as a sentinel (see `if_set`) where an
  // optional would take 8 B more, so that a record fits a 256 B allocation.
  time_point registered_at;
  time_point started_at = none;
  time_point ended_at = none;
  heartbeat_policy beats;
  /// Its one entry in the liveness deadline queue (max: none).
  time_point armed_due = time_point::max();
  const watchdog_settings* watchdog_cfg = nullptr;
  std::unique_ptr<watchdog_policy> watchdog; ///< While working, if configured.
  /// The due time of the one pending watchdog message, kept across slots: a new slot
  /// arms another only when it needs an earlier one (lazy re-arm, DESIGN §4).
  time_point watchdog_due = time_point::max();
  time_point recovery_at = none;
  /// Since when it is offline (none: it is not): `offline_retention` counts from here.
  /// The record fills its 256 B allocation with it.
  time_point offline_since = none;
  std::string reason;
  /// The error text of its last failure and its restart state. A pointer: few
  /// records ever have them, and 24 B less per record keeps it in a 256 B allocation.
  std::unique_ptr<record_extras> extras;

  /// The error text of its last failure, or null.
  const std::string* last_error() const noexcept {
    return extras && extras->last_error && !extras->last_error->empty()
               ? extras->last_error.get()
               : nullptr;
  }
  void set_last_error(std::string_view text) {
    if (!extras)
      extras = std::make_unique<record_extras>();
    extras->last_error = interned_name{text};
  }
  /// Its restart state, or null when no policy ever restarted the id.
  restart_track* restart() const noexcept {
    return extras && extras->restart ? &*extras->restart : nullptr;
  }
  /// Its restart state, made on first use.
  restart_track& restart_state() {
    if (!extras)
      extras = std::make_unique<record_extras>();
    if (!extras->restart)
      extras->restart.emplace();
    return *extras->restart;
  }

  static constexpr time_point none = time_point::min();
};

/// `x`, or nothing for the sentinel `agent_record::none`.
inline caf::optional<time_point> if_set(time_point x) {
  if (x == agent_record::none)
    return caf::none;
  return x;
}

} // namespace vigil::detail
