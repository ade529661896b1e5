// The SQLite store's record (DESIGN §10, §14): loading it, the epoch of each start,
// committing batches once each by seq, pruning events by age, and repairing the rows.
#include "sqlite_store.hpp"

#include <chrono>
#include <limits>
#include <optional>
#include <unistd.h>

#include "sqlite_statement.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/event_json.hpp"

namespace vigil::detail {

namespace {

// Pruning runs in a commit's transaction when the batch's newest event is at least
// this much event time after the last pruning (and on the first commit after opening).
// An index range scan and a delete per minute bound the extra work of a commit to one
// commit in many, whatever the batch rate; the cost is that an event may outlive the
// retention by up to a minute. Event time rather than commits counted: the bound is
// then the same in virtual time and at any event rate.
constexpr auto prune_every = std::chrono::minutes(1);

bool running(agent_state x) {
  return phase_of(x) == agent_phase::running;
}

class sqlite_store : public fleet_store {
public:
  sqlite_store(const store_settings& cfg, sqlite3* db, int lock_fd)
      : path_(cfg.path), retention_(cfg.events_retention), db_(db), lock_fd_(lock_fd) {}
  ~sqlite_store() override {
    sqlite3_close_v2(db_);
    close(lock_fd_); // lets the next supervisor open it
  }

  std::string describe() const override { return "sqlite " + path_; }

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
        return refused("agent " + a.id + " has an unknown state \"" + text_of(s, 3) +
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
        return refused("agent " + a.id + " has a malformed token or node key digest");
      x.agents.push_back(std::move(a));
    }
    if (rc != SQLITE_DONE)
      return problem("cannot read the agents");
    auto last = meta("last_seq");
    if (!last)
      return last.error();
    auto epoch = meta("epoch");
    if (!epoch)
      return epoch.error();
    x.last_seq = *last;
    x.epoch = *epoch;
    return x;
  }

  caf::expected<uint64_t> begin_epoch() override {
    // WAL with synchronous=NORMAL may lose the newest commits to a power cut (never to
    // a crash of the process); the epoch must survive both (DESIGN §14), so this one
    // transaction syncs. Being a log, the WAL then holds everything before it too.
    if (sqlite3_exec(db_, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) !=
        SQLITE_OK)
      return problem("cannot sync the epoch");
    uint64_t epoch = 0;
    auto err = transaction([&]() -> caf::error {
      auto old = meta("epoch");
      if (!old)
        return old.error();
      epoch = *old + 1;
      return set_meta("epoch", epoch);
    });
    sqlite3_exec(db_, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    if (err)
      return err;
    return epoch;
  }

  caf::error commit(const std::vector<event>& events, time_point origin) override {
    caf::optional<int64_t> pruned_now;
    auto err = transaction([&]() -> caf::error {
      auto last = meta("last_seq");
      if (!last)
        return last.error();
      const event* newest = nullptr;
      if (auto err = apply(events, *last, origin, newest))
        return err;
      if (!newest) // all committed before: a retry after a lost answer
        return caf::none;
      if (auto err = set_meta("last_seq", newest->seq))
        return err;
      auto at = (newest->at - origin).count();
      if (!prune_due(at))
        return caf::none;
      pruned_now = at;
      return prune(at);
    });
    if (!err && pruned_now)
      pruned_at_ = pruned_now;
    return err;
  }

  caf::error repair(const std::vector<stored_agent>& agents, uint64_t,
                    time_point) override {
    return transaction([&]() -> caf::error {
      if (sqlite3_exec(db_, "DELETE FROM agents", nullptr, nullptr, nullptr) !=
          SQLITE_OK)
        return problem("cannot clear the agents");
      statement ins{
          db_, "INSERT INTO agents (id, type, node, state, version, registered_at, "
               "started_at, ended_at, recovery_at, reason, last_error, "
               "token_digest, node_key_digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
               "?7, ?8, ?9, ?10, ?11, ?12, ?13)"};
      if (!ins)
        return problem("cannot prepare the statements");
      auto opt = [](const caf::optional<duration>& x) -> caf::optional<int64_t> {
        if (!x)
          return caf::none;
        return x->count();
      };
      for (auto& a : agents) {
        ins.bind(1, a.id);
        ins.bind(2, a.type);
        ins.bind(3, a.node);
        ins.bind(4, to_string(a.state));
        ins.bind(5, static_cast<int64_t>(a.version));
        ins.bind(6, static_cast<int64_t>(a.registered_at.count()));
        ins.bind(7, opt(a.started_at));
        ins.bind(8, opt(a.ended_at));
        ins.bind(9, opt(a.recovery_at));
        ins.bind(10, a.reason);
        ins.bind(11, a.last_error);
        ins.bind(12, to_hex(a.token_digest));
        ins.bind(13, to_hex(a.node_key_digest));
        if (ins.run() != SQLITE_OK) // a duplicate id, too: nothing of it is kept
          return problem("cannot write agent " + a.id);
      }
      return caf::none;
    });
  }

private:
  caf::error problem(const std::string& what) const {
    return make_error(errc::bad_config, "store " + describe(),
                      what + ": " + sqlite3_errmsg(db_));
  }

  caf::error refused(const std::string& what) const {
    return make_error(errc::bad_config, "store " + describe(), what);
  }

  /// Runs `f` in one write transaction: committed when it returns no error, else
  /// rolled back.
  template <class F>
  caf::error transaction(F f) {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
      return problem("cannot begin a transaction");
    if (auto err = f()) {
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

  /// A counter of the `meta` table; a missing or negative one is refused.
  caf::expected<uint64_t> meta(const std::string& key) {
    statement get{db_, "SELECT value FROM meta WHERE key = ?1"};
    if (!get)
      return problem("cannot read " + key);
    get.bind(1, key);
    auto rc = sqlite3_step(get.get());
    if (rc == SQLITE_DONE)
      return refused("has no " + key + " (meta table)");
    if (rc != SQLITE_ROW)
      return problem("cannot read " + key);
    auto x = sqlite3_column_int64(get.get(), 0);
    if (x < 0)
      return refused("has a negative " + key + " (" + std::to_string(x) + ")");
    return static_cast<uint64_t>(x);
  }

  caf::error set_meta(const std::string& key, uint64_t value) {
    statement set{db_, "UPDATE meta SET value = ?2 WHERE key = ?1"};
    if (!set)
      return problem("cannot write " + key);
    set.bind(1, key);
    set.bind(2, static_cast<int64_t>(value));
    if (set.run() != SQLITE_OK || sqlite3_changes(db_) != 1)
      return problem("cannot write " + key);
    return caf::none;
  }

  /// Whether a commit whose newest event is at `at` prunes (see `prune_every`).
  bool prune_due(int64_t at) const {
    if (!retention_)
      return false;
    if (!pruned_at_ || at < *pruned_at_) // the first commit, or a clock set back
      return true;
    return at - *pruned_at_ >= duration{prune_every}.count();
  }

  /// Deletes the events older than the retention before `at` (ns since the Unix
  /// epoch). SQLite keeps the freed pages in the file and reuses them for new events:
  /// the file stops growing soon after a retention's worth of events is in it, and
  /// never shrinks (that would take a VACUUM, which rewrites the whole file). Measured
  /// with a 1 h retention at 100 events/s: 88 MB after 1 h, then 94.8 MB from 4 h to
  /// 12 h (the minute of slack and half-filled pages).
  caf::error prune(int64_t at) {
    auto r = retention_->count();
    if (at < std::numeric_limits<int64_t>::min() + r)
      return caf::none; // nothing can be that old
    statement del{db_, "DELETE FROM events WHERE at < ?1"};
    if (!del)
      return problem("cannot prepare the pruning");
    del.bind(1, static_cast<int64_t>(at - r));
    if (del.run() != SQLITE_OK)
      return problem("cannot prune the events");
    return caf::none;
  }

  /// Appends and applies the events above `last` (seq); `newest`: the last applied.
  caf::error apply(const std::vector<event>& events, uint64_t last, time_point origin,
                   const event*& newest) {
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
      if (e.seq <= last) // DESIGN §14: committed before, so applied once
        continue;
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
      newest = &e;
      last = e.seq; // so that `last_seq` never goes down
    }
    return caf::none;
  }

  std::string path_;
  std::optional<duration> retention_;
  caf::optional<int64_t> pruned_at_; ///< The event time of the last pruning.
  sqlite3* db_;
  int lock_fd_;
};

} // namespace

std::shared_ptr<fleet_store> make_sqlite_store(const store_settings& cfg, sqlite3* db,
                                               int lock_fd) {
  return std::make_shared<sqlite_store>(cfg, db, lock_fd);
}

} // namespace vigil::detail
