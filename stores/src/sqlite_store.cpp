#include "sqlite_store.hpp"

#include "vigil/messages/event_line.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

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

bool running(agent_state x) {
  return phase_of(x) == agent_phase::running;
}

class statement {
public:
  statement(sqlite3* db, const char* sql) {
    sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  explicit operator bool() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() const { return stmt_; }

  void bind(int i, const std::string& x) {
    sqlite3_bind_text(stmt_, i, x.c_str(), static_cast<int>(x.size()),
                      SQLITE_TRANSIENT);
  }
  void bind(int i, int64_t x) { sqlite3_bind_int64(stmt_, i, x); }
  void bind(int i, const caf::optional<int64_t>& x) {
    if (x)
      sqlite3_bind_int64(stmt_, i, *x);
    else
      sqlite3_bind_null(stmt_, i);
  }
  /// Runs it to the end and resets it; the SQLite result code.
  int run() {
    int rc;
    while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }

private:
  sqlite3_stmt* stmt_ = nullptr;
};

caf::optional<duration> opt_ns(sqlite3_stmt* s, int col) {
  if (sqlite3_column_type(s, col) == SQLITE_NULL)
    return caf::none;
  return duration{sqlite3_column_int64(s, col)};
}

std::string text_of(sqlite3_stmt* s, int col) {
  auto p = sqlite3_column_text(s, col);
  return p ? reinterpret_cast<const char*>(p) : "";
}

class sqlite_store : public fleet_store {
public:
  sqlite_store(std::string path, sqlite3* db, int lock_fd)
      : path_(std::move(path)), db_(db), lock_fd_(lock_fd) {}
  ~sqlite_store() override {
    sqlite3_close_v2(db_);
    close(lock_fd_); // lets the next supervisor open it
  }

  std::string describe() const override { return "sqlite " + path_; }

  caf::error problem(const std::string& what) const {
    return make_error(errc::bad_config, "store " + describe(),
                      what + ": " + sqlite3_errmsg(db_));
  }

  caf::expected<stored_fleet> load() override {
    stored_fleet x;
    statement agents{db_, "SELECT id, type, node, state, version, registered_at, "
                          "started_at, ended_at, recovery_at, reason, last_error, "
                          "token_digest, node_key_digest FROM agents ORDER BY "
                          "registered_at, id"};
    if (!agents)
      return problem("cannot read the agents");
    int rc;
    while ((rc = sqlite3_step(agents.get())) == SQLITE_ROW) {
      auto s = agents.get();
      stored_agent a;
      a.id = text_of(s, 0);
      a.type = text_of(s, 1);
      a.node = text_of(s, 2);
      if (!from_string(text_of(s, 3), a.state))
        return make_error(errc::bad_config, "store " + describe(),
                          "agent " + a.id + " has an unknown state \"" + text_of(s, 3) +
                              "\"");
      a.version = static_cast<uint64_t>(sqlite3_column_int64(s, 4));
      a.registered_at = duration{sqlite3_column_int64(s, 5)};
      a.started_at = opt_ns(s, 6);
      a.ended_at = opt_ns(s, 7);
      a.recovery_at = opt_ns(s, 8);
      a.reason = text_of(s, 9);
      a.last_error = text_of(s, 10);
      if (!from_hex(text_of(s, 11), a.token_digest) ||
          !from_hex(text_of(s, 12), a.node_key_digest))
        return make_error(errc::bad_config, "store " + describe(),
                          "agent " + a.id +
                              " has a malformed token or node key digest");
      x.agents.push_back(std::move(a));
    }
    if (rc != SQLITE_DONE)
      return problem("cannot read the agents");
    statement seq{db_, "SELECT COALESCE(MAX(seq), 0) FROM events"};
    if (!seq || sqlite3_step(seq.get()) != SQLITE_ROW)
      return problem("cannot read the last seq");
    x.last_seq = static_cast<uint64_t>(sqlite3_column_int64(seq.get(), 0));
    return x;
  }

  caf::error commit(const std::vector<event>& events, time_point origin) override {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
      return problem("cannot begin a transaction");
    if (auto err = apply(events, origin)) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return err;
    }
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      auto err = problem("cannot commit");
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return err;
    }
    return caf::none;
  }

private:
  caf::error apply(const std::vector<event>& events, time_point origin) {
    auto ns = [&](time_point t) {
      return (t - origin).count();
    };
    auto opt = [&](const caf::optional<time_point>& t) -> caf::optional<int64_t> {
      if (!t)
        return caf::none;
      return ns(*t);
    };
    statement ins{db_,
                  "INSERT INTO events (seq, at, kind, agent, type, node, from_state, "
                  "to_state, reason, error, version, recovery_at, json) VALUES "
                  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"};
    statement reg{db_,
                  "INSERT OR REPLACE INTO agents (id, type, node, state, version, "
                  "registered_at, started_at, ended_at, recovery_at, reason, "
                  "last_error, token_digest, node_key_digest) VALUES (?1, ?2, ?3, ?4, "
                  "?5, ?6, ?7, NULL, ?8, ?9, '', ?10, ?11)"};
    // An upsert: a row whose registration was never committed (dropped past the
    // buffer bound) is made from the transition.
    statement upd{
        db_, "INSERT INTO agents (id, type, node, state, version, registered_at, "
             "started_at, ended_at, recovery_at, reason, last_error) VALUES (?1, ?2, "
             "?3, ?4, ?5, ?11, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(id) DO UPDATE SET "
             "type = ?2, node = ?3, state = ?4, version = ?5, "
             "started_at = COALESCE(started_at, ?6), ended_at = ?7, "
             "recovery_at = ?8, reason = ?9, "
             "last_error = CASE WHEN ?10 = '' THEN last_error ELSE ?10 END"};
    statement del{db_, "DELETE FROM agents WHERE id = ?1"};
    if (!ins || !reg || !upd || !del)
      return problem("cannot prepare the statements");
    for (auto& e : events) {
      auto at = ns(e.at);
      ins.bind(1, static_cast<int64_t>(e.seq));
      ins.bind(2, at);
      ins.bind(3, to_string(e.kind));
      ins.bind(4, e.agent);
      ins.bind(5, e.type);
      ins.bind(6, e.node);
      ins.bind(7, to_string(e.from));
      ins.bind(8, to_string(e.to));
      ins.bind(9, e.reason);
      ins.bind(10, e.error);
      ins.bind(11, static_cast<int64_t>(e.version));
      ins.bind(12, opt(e.recovery_at));
      ins.bind(13, event_line(e, origin));
      if (ins.run() != SQLITE_OK)
        return problem("cannot append event " + std::to_string(e.seq));
      int rc = SQLITE_OK;
      switch (e.kind) {
      case event_kind::registered:
        reg.bind(1, e.agent);
        reg.bind(2, e.type);
        reg.bind(3, e.node);
        reg.bind(4, to_string(e.to));
        reg.bind(5, static_cast<int64_t>(e.version));
        reg.bind(6, at);
        reg.bind(7, running(e.to) ? caf::optional<int64_t>{at} : caf::none);
        reg.bind(8, opt(e.recovery_at));
        reg.bind(9, e.reason);
        reg.bind(10, to_hex(e.token_digest));
        reg.bind(11, to_hex(e.node_key_digest));
        rc = reg.run();
        break;
      case event_kind::transition:
        upd.bind(1, e.agent);
        upd.bind(2, e.type);
        upd.bind(3, e.node);
        upd.bind(4, to_string(e.to));
        upd.bind(5, static_cast<int64_t>(e.version));
        upd.bind(6, running(e.to) ? caf::optional<int64_t>{at} : caf::none);
        upd.bind(7, is_terminal(e.to) ? caf::optional<int64_t>{at} : caf::none);
        upd.bind(8, opt(e.recovery_at));
        upd.bind(9, e.reason);
        upd.bind(10, e.error);
        upd.bind(11, at);
        rc = upd.run();
        break;
      case event_kind::purged:
        del.bind(1, e.agent);
        rc = del.run();
        break;
      default: // watchdog notes and missed beats: in the stream, not in the row
        break;
      }
      if (rc != SQLITE_OK)
        return problem("cannot update agent " + e.agent);
    }
    return caf::none;
  }

  std::string path_;
  sqlite3* db_;
  int lock_fd_;
};

} // namespace

caf::expected<std::shared_ptr<fleet_store>> open_sqlite_store(const std::string& path) {
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
      sqlite3_close_v2(db); // also with a statement still open
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
  if (v < sqlite_schema_version) { // new, or older: the schema, in one transaction
    std::string sql = std::string{"BEGIN; "} + (v == 0 ? schema_v1 : "") + schema_v2 +
                      "PRAGMA user_version = " + std::to_string(sqlite_schema_version) +
                      "; COMMIT;";
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      auto err = fail(db, "cannot get vigil's schema (is the file writable?)");
      return err;
    }
  }
  return std::shared_ptr<fleet_store>{
      std::make_shared<sqlite_store>(path, db, lock_fd)};
}

} // namespace vigil::detail
