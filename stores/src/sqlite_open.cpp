// Opening the SQLite store: one supervisor per file (a flock beside it), the checks
// that tell a vigil database from anything else, and the schema migrations, each in
// one transaction.
#include "sqlite_store.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "sqlite_statement.hpp"
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

} // namespace

caf::expected<std::shared_ptr<fleet_store>>
open_sqlite_store(const store_settings& cfg) {
  auto& path = cfg.path;
  // One supervisor per record: a second one would number the same seqs again.
  auto lock_path = path + ".lock";
  int lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0)
    return make_error(errc::bad_config, "store sqlite " + path,
                      "cannot be opened or created (" + lock_path + ": " +
                          std::strerror(errno) + ")");
  if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    close(lock_fd);
    return make_error(errc::bad_config, "store sqlite " + path,
                      std::string{"is in use by another supervisor"});
  }
  auto fail = [&](sqlite3* db, const std::string& what,
                  bool sqlite_says = true) -> caf::error {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    if (db)
      sqlite3_close_v2(db); // also with a statement still open; rolls back
    close(lock_fd);
    return make_error(errc::bad_config, "store sqlite " + path,
                      sqlite_says ? what + " (" + why + ")" : what);
  };
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK)
    return fail(db, "cannot be opened or created");
  sqlite3_busy_timeout(db, 5000);
  if (sqlite3_db_readonly(db, "main") == 1)
    return fail(db, "is read-only", false);
  // The first read tells a database from anything else ("file is not a database").
  statement version{db, "PRAGMA user_version"};
  if (!version || sqlite3_step(version.get()) != SQLITE_ROW)
    return fail(db, "is not a vigil database");
  auto v = sqlite3_column_int(version.get(), 0);
  sqlite3_reset(version.get());
  if (v > sqlite_schema_version)
    return fail(db,
                "has schema version " + std::to_string(v) +
                    ", newer than this vigil knows (" +
                    std::to_string(sqlite_schema_version) + "); use a newer vigil",
                false);
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", nullptr,
                   nullptr, nullptr) != SQLITE_OK)
    return fail(db, "cannot be switched to WAL mode (is its directory writable?)");
  if (v < sqlite_schema_version) { // new, or older: the steps it lacks, in one go
    std::string sql = "BEGIN; ";
    if (v < 1)
      sql += schema_v1;
    if (v < 2)
      sql += schema_v2;
    sql += schema_v3;
    sql +=
        "PRAGMA user_version = " + std::to_string(sqlite_schema_version) + "; COMMIT;";
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      return fail(db, "cannot get vigil's schema (is the file writable?)");
  }
  return make_sqlite_store(cfg, db, lock_fd);
}

} // namespace vigil::detail
