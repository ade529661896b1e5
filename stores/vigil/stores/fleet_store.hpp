// The store seam (DESIGN §10): what a supervisor needs from a durable record. The
// supervisor sees only this header; SQLite and Redis stay behind `open_store`, in
// components of their own (store_opener.hpp).
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
  /// Restarts of the id over all its lives, and the reason of the end that caused the
  /// last one. A `registered` event replaces the row with `restarts` as it says (the
  /// supervisor's record carries the count) and, with reason `restarted`, its
  /// `details` as the reason; another registration keeps the replaced row's reason
  /// when its count is not 0, else empties it.
  uint32_t restarts = 0;
  std::string last_restart_reason;
  /// A restart pending for this ended agent (DESIGN §12): set by `restart_scheduled`
  /// (its `due`, `attempt`, and the cause in `details`), cleared by `restart_gave_up`
  /// and by the new life's `registered` event. A restarted supervisor makes it at
  /// `restart_due` still.
  caf::optional<duration> restart_due;
  uint32_t restart_attempt = 0;
  std::string restart_cause;
};

/// What a store holds: the agents' last known rows and where the event stream stood.
struct stored_fleet {
  std::vector<stored_agent> agents;
  /// The newest event ever committed (kept when retention prunes it): the next one is
  /// this + 1, so a seq is never reused.
  uint64_t last_seq = 0;
  /// The epoch of the supervisor that started last (0: none has yet). See
  /// `fleet_store::begin_epoch`.
  uint64_t epoch = 0;
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

  /// A supervisor starts: records and returns `stored_fleet::epoch + 1`, durably,
  /// before any event of the new start is committed or published (DESIGN §14: a
  /// subscriber that resumes across a crash is resynced, never silently skipped).
  virtual caf::expected<uint64_t> begin_epoch() = 0;

  /// Commits `events` (in seq order) in one transaction: appends them and applies
  /// them to the agents' rows (registered: a new row, no restart pending; transition:
  /// its state, times and error; restart_scheduled: the pending restart;
  /// restart_gave_up: none pending; purged: the row goes). A restart event for an id
  /// without a row changes no row. `origin` is the Unix epoch on the clock of the
  /// events' times. All or nothing: on an error nothing of the batch is kept.
  /// Idempotent by seq: events at or below the newest committed seq are skipped (a
  /// batch retried after a reply timed out is applied, and published, once).
  virtual caf::error commit(const std::vector<event>& events, time_point origin) = 0;

  /// Replaces every agent row with `agents` in one transaction (the supervisor's record
  /// as of `as_of_seq`, after events were dropped): the rows are right again, and
  /// later commits apply on top. Events and `last_seq` stay as they are.
  virtual caf::error repair(const std::vector<stored_agent>& agents, uint64_t as_of_seq,
                            time_point origin) = 0;
};

/// Opens the store `cfg` names (none: null). Errors name the file or URL and say what
/// is wrong: unwritable path, not a database, a schema newer than this build, Redis
/// unreachable; or, for a kind whose component the program does not link
/// (`vigil::sqlite`, `vigil::redis`), `errc::bad_config` saying what to link.
caf::expected<std::shared_ptr<fleet_store>> open_store(const store_settings& cfg);

} // namespace vigil
