// The store seam (DESIGN §10): what a supervisor needs from a durable record. The
// supervisor sees only this header; SQLite and Redis stay behind `open_store`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/optional.hpp>

#include "vigil/config/store_settings.hpp"
#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/event.hpp"

namespace vigil {

/// One agent as the store keeps it. Times are wall-clock spans since the Unix epoch,
/// so they mean the same after a restart (the supervisor's clock does not).
struct stored_agent {
  std::string id;
  std::string type;
  std::string node;
  agent_state state = agent_state::spawning;
  uint64_t version = 0;
  duration registered_at{0};
  caf::optional<duration> started_at;
  caf::optional<duration> ended_at;
  caf::optional<duration> recovery_at;
  std::string reason;
  std::string last_error;
  /// The digest of its life's token, and of its node's key when it registered with
  /// one (DESIGN §11): what a restarted supervisor checks a returning agent against.
  secret_digest token_digest;
  secret_digest node_key_digest;
};

/// What a store holds: the agents' last known rows and where the event stream stood.
struct stored_fleet {
  std::vector<stored_agent> agents;
  uint64_t last_seq = 0; ///< The newest committed event; the next one is this + 1.
};

/// A durable record. Calls come from one actor at a time (the store writer), so an
/// implementation needs no locking; any of them may block.
class fleet_store {
public:
  virtual ~fleet_store() = default;

  /// "sqlite /var/lib/vigil/fleet.db", for logs and errors.
  virtual std::string describe() const = 0;

  /// The record as committed so far.
  virtual caf::expected<stored_fleet> load() = 0;

  /// Commits `events` (in seq order) in one transaction: appends them and applies
  /// them to the agents' rows (registered: a new row; transition: its state, times and
  /// error; purged: the row goes). `origin` is the Unix epoch on the clock of the
  /// events' times. All or nothing: on an error nothing of the batch is kept.
  virtual caf::error commit(const std::vector<event>& events, time_point origin) = 0;
};

/// Opens the store `cfg` names (none: null). Errors name the file or URL and say what
/// is wrong: unwritable path, not a database, a schema newer than this build, Redis
/// unreachable.
caf::expected<std::shared_ptr<fleet_store>> open_store(const store_settings& cfg);

} // namespace vigil
