// The SQLite store's record (DESIGN §10, §14): loading it, the epoch of each start,
// committing batches once each by seq, pruning events by age, and repairing the rows.
// Each statement is prepared once per store and reused; every SQLite failure (SQLiteCpp
// throws them) becomes the store's error, naming the step that failed.
#include "sqlite_store.hpp"

#include <chrono>
#include <exception>
#include <limits>
#include <optional>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <caf/optional.hpp>

#include "sqlite_sql.hpp"
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

/// Ready for new bindings, whatever its last run did. `tryReset`: SQLite's reset
/// repeats the error of a failed step, which was reported when it happened.
SQLite::Statement& fresh(SQLite::Statement& s) {
  s.tryReset();
  s.clearBindings();
  return s;
}

/// Resets a query when reading it ends, also by an exception, so that no read
/// stays open in the connection.
class reading {
public:
  explicit reading(SQLite::Statement& s) : s_(fresh(s)) {}
  ~reading() { s_.tryReset(); }
  reading(const reading&) = delete;
  reading& operator=(const reading&) = delete;

private:
  SQLite::Statement& s_;
};

void bind(SQLite::Statement& s, int i, const caf::optional<int64_t>& x) {
  if (x)
    s.bind(i, *x);
  else
    s.bind(i); // NULL
}

caf::optional<int64_t> count_of(const caf::optional<duration>& x) {
  if (!x)
    return caf::none;
  return x->count();
}

caf::optional<duration> opt_ns(const SQLite::Statement& s, int col) {
  if (s.isColumnNull(col))
    return caf::none;
  return duration{s.getColumn(col).getInt64()};
}

std::string text_of(const SQLite::Statement& s, int col) {
  return s.getColumn(col).getText();
}

class sqlite_store : public fleet_store {
public:
  sqlite_store(const store_settings& cfg, SQLite::Database db, store_lock lock)
      : path_(cfg.path), retention_(cfg.events_retention), lock_(std::move(lock)),
        db_(std::move(db)), select_agents_(db_, sql::select_agents),
        get_meta_(db_, sql::get_meta), set_meta_(db_, sql::set_meta),
        append_(db_, sql::append), register_(db_, sql::register_agent),
        transition_(db_, sql::transition_agent), purge_(db_, sql::purge_agent),
        prune_(db_, sql::prune), clear_agents_(db_, sql::clear_agents),
        restore_(db_, sql::restore) {}

  std::string describe() const override { return "sqlite " + path_; }

  caf::expected<stored_fleet> load() override {
    stored_fleet x;
    auto err = attempt("cannot read the agents", [&]() -> caf::error {
      reading r{select_agents_};
      auto& s = select_agents_;
      while (s.executeStep()) {
        stored_agent a;
        a.id = text_of(s, 0);
        a.type = text_of(s, 1);
        a.node = text_of(s, 2);
        if (!from_string(text_of(s, 3), a.state))
          return refused("agent " + a.id + " has an unknown state \"" + text_of(s, 3) +
                         "\"");
        a.version = static_cast<uint64_t>(s.getColumn(4).getInt64());
        a.registered_at = duration{s.getColumn(5).getInt64()};
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
      return caf::none;
    });
    if (err)
      return err;
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
    if (auto err = attempt("cannot sync the epoch",
                           [&] { return exec("PRAGMA synchronous=FULL"); }))
      return err;
    uint64_t epoch = 0;
    auto err = transaction([&]() -> caf::error {
      auto old = meta("epoch");
      if (!old)
        return old.error();
      epoch = *old + 1;
      return set_meta("epoch", epoch);
    });
    auto back = attempt("cannot return to synchronous=NORMAL",
                        [&] { return exec("PRAGMA synchronous=NORMAL"); });
    if (err)
      return err;
    if (back)
      return back;
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
      if (auto err = attempt("cannot clear the agents",
                             [&] { return run(fresh(clear_agents_)); }))
        return err;
      for (auto& a : agents) {
        // A duplicate id, too, fails the whole repair: nothing of it is kept.
        auto err = attempt("cannot write agent " + a.id, [&] {
          auto& s = fresh(restore_);
          s.bind(1, a.id);
          s.bind(2, a.type);
          s.bind(3, a.node);
          s.bind(4, to_string(a.state));
          s.bind(5, static_cast<int64_t>(a.version));
          s.bind(6, static_cast<int64_t>(a.registered_at.count()));
          bind(s, 7, count_of(a.started_at));
          bind(s, 8, count_of(a.ended_at));
          bind(s, 9, count_of(a.recovery_at));
          s.bind(10, a.reason);
          s.bind(11, a.last_error);
          s.bind(12, to_hex(a.token_digest));
          s.bind(13, to_hex(a.node_key_digest));
          return run(s);
        });
        if (err)
          return err;
      }
      return caf::none;
    });
  }

private:
  caf::error problem(const std::string& what, const std::string& why) const {
    return make_error(errc::bad_config, "store " + describe(), what + ": " + why);
  }

  caf::error refused(const std::string& what) const {
    return make_error(errc::bad_config, "store " + describe(), what);
  }

  /// Runs `f`; what SQLite throws becomes the store's error `what: SQLite's words`.
  template <class F>
  caf::error attempt(const std::string& what, F f) {
    try {
      return f();
    } catch (const std::exception& e) {
      return problem(what, e.what());
    }
  }

  caf::error exec(const char* sql) {
    db_.exec(sql);
    return caf::none;
  }

  /// Runs a bound statement that returns no rows.
  static caf::error run(SQLite::Statement& s) {
    s.exec();
    return caf::none;
  }

  /// Runs `f` in one write transaction: committed when it returns no error, else
  /// rolled back (also when the commit fails).
  template <class F>
  caf::error transaction(F f) {
    std::optional<SQLite::Transaction> tx;
    if (auto err = attempt("cannot begin a transaction", [&] {
          tx.emplace(db_, SQLite::TransactionBehavior::IMMEDIATE);
          return caf::error{};
        }))
      return err;
    if (auto err = f())
      return err; // `tx` rolls back
    return attempt("cannot commit", [&] {
      tx->commit();
      return caf::error{};
    });
  }

  /// A counter of the `meta` table; a missing or negative one is refused.
  caf::expected<uint64_t> meta(const std::string& key) {
    int64_t x = 0;
    bool found = false;
    if (auto err = attempt("cannot read " + key, [&] {
          reading r{get_meta_};
          get_meta_.bind(1, key);
          if ((found = get_meta_.executeStep()))
            x = get_meta_.getColumn(0).getInt64();
          return caf::error{};
        }))
      return err;
    if (!found)
      return refused("has no " + key + " (meta table)");
    if (x < 0)
      return refused("has a negative " + key + " (" + std::to_string(x) + ")");
    return static_cast<uint64_t>(x);
  }

  caf::error set_meta(const std::string& key, uint64_t value) {
    return attempt("cannot write " + key, [&]() -> caf::error {
      auto& s = fresh(set_meta_);
      s.bind(1, key);
      s.bind(2, static_cast<int64_t>(value));
      if (auto changed = s.exec(); changed != 1)
        return problem("cannot write " + key,
                       "expected 1 row of the meta table changed, found " +
                           std::to_string(changed));
      return caf::none;
    });
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
    return attempt("cannot prune the events", [&] {
      auto& s = fresh(prune_);
      s.bind(1, static_cast<int64_t>(at - r));
      return run(s);
    });
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
    for (auto& e : events) {
      if (e.seq <= last) // DESIGN §14: committed before, so applied once
        continue;
      auto at = ns(e.at);
      auto err = attempt("cannot append event " + std::to_string(e.seq), [&] {
        auto& ins = fresh(append_);
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
        bind(ins, 12, opt(e.recovery_at));
        ins.bind(13, event_line(e, origin));
        return run(ins);
      });
      if (err)
        return err;
      err = attempt("cannot update agent " + e.agent,
                    [&] { return apply_to_row(e, at, opt(e.recovery_at)); });
      if (err)
        return err;
      newest = &e;
      last = e.seq; // so that `last_seq` never goes down
    }
    return caf::none;
  }

  /// What `e` does to its agent's row; `at`: its time in ns since the store's origin
  /// (the Unix epoch outside virtual time).
  caf::error apply_to_row(const event& e, int64_t at,
                          const caf::optional<int64_t>& recovery_at) {
    switch (e.kind) {
    case event_kind::registered: {
      auto& s = fresh(register_);
      s.bind(1, e.agent);
      s.bind(2, e.type);
      s.bind(3, e.node);
      s.bind(4, to_string(e.to));
      s.bind(5, static_cast<int64_t>(e.version));
      s.bind(6, at);
      bind(s, 7, is_running(e.to) ? caf::optional<int64_t>{at} : caf::none);
      bind(s, 8, recovery_at);
      s.bind(9, e.reason);
      s.bind(10, to_hex(e.token_digest));
      s.bind(11, to_hex(e.node_key_digest));
      return run(s);
    }
    case event_kind::transition: {
      auto& s = fresh(transition_);
      s.bind(1, e.agent);
      s.bind(2, e.type);
      s.bind(3, e.node);
      s.bind(4, to_string(e.to));
      s.bind(5, static_cast<int64_t>(e.version));
      bind(s, 6, is_running(e.to) ? caf::optional<int64_t>{at} : caf::none);
      bind(s, 7, is_terminal(e.to) ? caf::optional<int64_t>{at} : caf::none);
      bind(s, 8, recovery_at);
      s.bind(9, e.reason);
      s.bind(10, e.error);
      s.bind(11, at);
      return run(s);
    }
    case event_kind::purged: {
      auto& s = fresh(purge_);
      s.bind(1, e.agent);
      return run(s);
    }
    default: // watchdog notes and missed beats: in the stream, not in the row
      return caf::none;
    }
  }

  std::string path_;
  std::optional<duration> retention_;
  caf::optional<int64_t> pruned_at_; ///< The event time of the last pruning.
  // Declared in this order so that they go in reverse: the statements, then the
  // connection, then the lock that lets the next supervisor open the file.
  store_lock lock_;
  SQLite::Database db_;
  SQLite::Statement select_agents_;
  SQLite::Statement get_meta_;
  SQLite::Statement set_meta_;
  SQLite::Statement append_;
  SQLite::Statement register_;
  SQLite::Statement transition_;
  SQLite::Statement purge_;
  SQLite::Statement prune_;
  SQLite::Statement clear_agents_;
  SQLite::Statement restore_;
};

} // namespace

caf::expected<std::shared_ptr<fleet_store>>
make_sqlite_store(const store_settings& cfg, SQLite::Database db, store_lock lock) {
  try {
    return std::make_shared<sqlite_store>(cfg, std::move(db), std::move(lock));
  } catch (const std::exception& e) {
    return make_error(errc::bad_config, "store sqlite " + cfg.path,
                      std::string{"cannot prepare the statements: "} + e.what());
  }
}

} // namespace vigil::detail
