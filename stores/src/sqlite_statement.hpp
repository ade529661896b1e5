// A prepared SQLite statement that finalizes itself, and column readers: shared by the
// SQLite store's opening (sqlite_open.cpp) and its record (sqlite_store.cpp).
#pragma once

#include <cstdint>
#include <string>

#include <caf/optional.hpp>
#include <sqlite3.h>

#include "vigil/messages/time.hpp"

namespace vigil::detail {

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

inline caf::optional<duration> opt_ns(sqlite3_stmt* s, int col) {
  if (sqlite3_column_type(s, col) == SQLITE_NULL)
    return caf::none;
  return duration{sqlite3_column_int64(s, col)};
}

inline std::string text_of(sqlite3_stmt* s, int col) {
  auto p = sqlite3_column_text(s, col);
  return p ? reinterpret_cast<const char*>(p) : "";
}

} // namespace vigil::detail
