// The SQLite store's record (DESIGN §10, §14): loading it, the epoch of each start,
// committing batches once each by seq, pruning events by age, and repairing the rows.
// The agents table's rows are sqlite_rows.cpp. Each statement is prepared once per
// store and reused; every SQLite failure (SQLiteCpp throws them) becomes the store's
// error, naming the step that failed.
#include "sqlite_store.hpp"

#include <chrono>
#include <exception>
#include <limits>
#include <optional>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <caf/optional.hpp>

#include "sqlite_rows.hpp"
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

class sqlite_store : public fleet_store {
public:
  sqlite_store(const store_settings& cfg, SQLite::Database db, store_lock lock)
      : path_(cfg.path), retention_(cfg.events_retention), lock_(std::move(lock)),
        db_(std::move(db)), get_meta_(db_, sql::get_meta),
        set_meta_(db_, sql::set_meta), append_(db_, sql::append),
        prune_(db_, sql::prune), rows_(db_) {}

  std::string describe() const override { return "sqlite " + path_; }

  caf::expected<stored_fleet> load() override {
    stored_fleet x;
    auto err = attempt("cannot read the agents", [&]() -> caf::error {
      std::string why;
      if (!rows_.load(x.agents, why))
        return refused(why);
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
      if (auto err = attempt("cannot clear the agents", [&] {
            rows_.clear();
            return caf::error{};
          }))
        return err;
      for (auto& a : agents) {
        // A duplicate id, too, fails the whole repair: nothing of it is kept.
        auto err = attempt("cannot write agent " + a.id, [&] {
          rows_.restore(a);
          return caf::error{};
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
      err = attempt("cannot update agent " + e.agent, [&] {
        rows_.apply(e, origin);
        return caf::error{};
      });
      if (err)
        return err;
      newest = &e;
      last = e.seq; // so that `last_seq` never goes down
    }
    return caf::none;
  }

  std::string path_;
  std::optional<duration> retention_;
  caf::optional<int64_t> pruned_at_; ///< The event time of the last pruning.
  // Declared in this order so that they go in reverse: the statements, then the
  // connection, then the lock that lets the next supervisor open the file.
  store_lock lock_;
  SQLite::Database db_;
  SQLite::Statement get_meta_;
  SQLite::Statement set_meta_;
  SQLite::Statement append_;
  SQLite::Statement prune_;
  sqlite_rows rows_;
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
