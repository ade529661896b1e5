// The SQLite store's agents table (DESIGN §10, §12): every row read back and checked,
// a row written whole (repair), and what each committed event does to its agent's
// row; with the statement helpers the store shares. Calls throw what SQLiteCpp throws;
// the store turns that into its error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <caf/optional.hpp>

#include "vigil/stores/fleet_store.hpp"

namespace vigil::detail {

/// Ready for new bindings, whatever its last run did. `tryReset`: SQLite's reset
/// repeats the error of a failed step, which was reported when it happened.
inline SQLite::Statement& fresh(SQLite::Statement& s) {
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

inline void bind(SQLite::Statement& s, int i, const caf::optional<int64_t>& x) {
  if (x)
    s.bind(i, *x);
  else
    s.bind(i); // NULL
}

/// The agents table's statements, prepared once.
class sqlite_rows {
public:
  explicit sqlite_rows(SQLite::Database& db);

  /// Every row, by registration time then id. False with `why` (naming the agent and
  /// the field) for a row this build cannot take: a state without a name, a malformed
  /// digest, a count beyond 32 bits.
  bool load(std::vector<stored_agent>& out, std::string& why);

  /// Deletes every row.
  void clear();

  /// Writes `a` as it is (a duplicate id throws).
  void restore(const stored_agent& a);

  /// What `e` does to its agent's row; times count from `origin` (the Unix epoch on
  /// the events' clock).
  void apply(const event& e, time_point origin);

private:
  SQLite::Statement select_;
  SQLite::Statement register_;
  SQLite::Statement transition_;
  SQLite::Statement schedule_;
  SQLite::Statement drop_restart_;
  SQLite::Statement purge_;
  SQLite::Statement clear_;
  SQLite::Statement restore_;
};

} // namespace vigil::detail
