// Reading a supervisor's SQLite record in tests: a query helper, and the agents table
// as id -> (state, version), to compare with the supervisor's record.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include <sqlite3.h>

namespace vigil::test {

/// Runs `sql` on a supervisor's SQLite record and hands each row to `row`.
template <class F>
void query(const std::string& path, const char* sql, F row) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &q, nullptr) == SQLITE_OK)
    while (sqlite3_step(q) == SQLITE_ROW)
      row(q);
  sqlite3_finalize(q);
  sqlite3_close(db);
}

using fleet_model = std::map<std::string, std::pair<std::string, uint64_t>>;

/// The stored agents table: id -> (state, version).
inline fleet_model stored_agents(const std::string& path) {
  fleet_model xs;
  query(path, "SELECT id, state, version FROM agents", [&](sqlite3_stmt* q) {
    xs[reinterpret_cast<const char*>(sqlite3_column_text(q, 0))] = {
        reinterpret_cast<const char*>(sqlite3_column_text(q, 1)),
        static_cast<uint64_t>(sqlite3_column_int64(q, 2))};
  });
  return xs;
}

} // namespace vigil::test
