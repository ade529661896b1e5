// Opening the SQLite store: one supervisor per file (a flock beside it), the checks
// that tell a vigil database from anything else, and the schema migrations, each in
// one transaction.
#include "sqlite_store.hpp"

#include <cerrno>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <SQLiteCpp/Transaction.h>

#include "vigil/messages/errc.hpp"

namespace vigil::detail {

namespace {

// Schema v1. `agents` is the record as of the newest committed event; `events` the
// stream by seq. Times are nanoseconds since the Unix epoch.
constexpr const char* schema_v1 = R"(
CREATE TABLE agents (
  id TEXT PRIMARY KEY, type TEXT NOT NULL, node TEXT NOT NULL, state TEXT NOT NULL,
  version INTEGER NOT NULL, registered_at INTEGER NOT NULL, started_at INTEGER,
  ended_at INTEGER, recovery_at INTEGER, reason TEXT NOT NULL, last_error TEXT NOT NULL);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, agent TEXT NOT NULL,
  type TEXT NOT NULL, node TEXT NOT NULL, from_state TEXT NOT NULL,
  to_state TEXT NOT NULL, reason TEXT NOT NULL, error TEXT NOT NULL,
  version INTEGER NOT NULL, recovery_at INTEGER, json TEXT NOT NULL);
)";

// Schema v2: the digests of each life's token and of its node's key (DESIGN §11).
constexpr const char* schema_v2 = R"(
ALTER TABLE agents ADD COLUMN token_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN node_key_digest TEXT NOT NULL DEFAULT '';
)";

// Schema v3 (DESIGN §14): `meta` keeps the newest seq ever committed, so pruning old
// events never lets a seq be numbered again, and the epoch of the last start; events
// are pruned by age through the index on `at`.
constexpr const char* schema_v3 = R"(
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) SELECT 'last_seq', COALESCE(MAX(seq), 0) FROM events;
INSERT INTO meta (key, value) VALUES ('epoch', 0);
CREATE INDEX events_at ON events (at);
)";

// Schema v4 (DESIGN §12): each row's restart count and last restart reason, and the
// restart pending for it (due as ns since the Unix epoch, attempt, cause). Events keep
// their restart fields in the `json` column.
constexpr const char* schema_v4 = R"(
ALTER TABLE agents ADD COLUMN restarts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN last_restart_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN restart_due INTEGER;
ALTER TABLE agents ADD COLUMN restart_attempt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN restart_cause TEXT NOT NULL DEFAULT '';
)";

} // namespace

store_lock::~store_lock() {
  if (fd_ >= 0)
    close(fd_);
}

caf::expected<std::shared_ptr<fleet_store>>
open_sqlite_store(const store_settings& cfg) {
  auto& path = cfg.path;
  auto refuse = [&](const std::string& what) {
    return make_error(errc::bad_config, "store sqlite " + path, what);
  };
  // One supervisor per record: a second one would number the same seqs again.
  auto lock_path = path + ".lock";
  int lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0)
    return refuse("cannot be opened or created (" + lock_path + ": " +
                  std::strerror(errno) + ")");
  store_lock lock{lock_fd};
  if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0)
    return refuse("is in use by another supervisor");
  // Each step names what it does; SQLiteCpp throws SQLite's own words for why it
  // failed. A `Database` going out of scope closes the file and rolls back.
  const char* step = "cannot be opened or created";
  try {
    SQLite::Database db{path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000};
    if (sqlite3_db_readonly(db.getHandle(), "main") == 1)
      return refuse("is read-only");
    // The first read tells a database from anything else ("file is not a database").
    step = "is not a vigil database";
    auto v = db.execAndGet("PRAGMA user_version").getInt();
    if (v > sqlite_schema_version)
      return refuse("has schema version " + std::to_string(v) +
                    ", newer than this vigil knows (" +
                    std::to_string(sqlite_schema_version) + "); use a newer vigil");
    step = "cannot be switched to WAL mode (is its directory writable?)";
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
    if (v < sqlite_schema_version) { // new, or older: the steps it lacks, in one go
      step = "cannot get vigil's schema (is the file writable?)";
      SQLite::Transaction tx{db};
      std::string sql;
      if (v < 1)
        sql += schema_v1;
      if (v < 2)
        sql += schema_v2;
      if (v < 3)
        sql += schema_v3;
      sql += schema_v4;
      sql += "PRAGMA user_version = " + std::to_string(sqlite_schema_version) + ";";
      db.exec(sql);
      tx.commit();
    }
    return make_sqlite_store(cfg, std::move(db), std::move(lock));
  } catch (const std::exception& e) {
    return refuse(std::string{step} + " (" + e.what() + ")");
  }
}

} // namespace vigil::detail
