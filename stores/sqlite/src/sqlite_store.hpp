// The embedded default store: one SQLite file in WAL mode (DESIGN §10), through
// SQLiteCpp. Opening and migrating the file is sqlite_open.cpp; the record itself,
// sqlite_store.cpp.
#pragma once

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>
#include <caf/expected.hpp>

#include "vigil/stores/fleet_store.hpp"

namespace vigil::detail {

/// The schema this build writes; a file with a newer one is refused at open.
constexpr int sqlite_schema_version = 4;

/// The flock beside a database that keeps other supervisors out: closing its file
/// (when the store goes, or when opening fails) lets the next one in.
class store_lock {
public:
  explicit store_lock(int fd) noexcept : fd_(fd) {}
  store_lock(store_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  store_lock(const store_lock&) = delete;
  store_lock& operator=(const store_lock&) = delete;
  store_lock& operator=(store_lock&&) = delete;
  ~store_lock();

private:
  int fd_;
};

/// Opens (creating if missing) and migrates `cfg.path`; prunes events by
/// `cfg.events_retention`.
caf::expected<std::shared_ptr<fleet_store>>
open_sqlite_store(const store_settings& cfg);

/// The store over `db`, already at `sqlite_schema_version`, with its statements
/// prepared once; an error when one cannot be prepared.
caf::expected<std::shared_ptr<fleet_store>>
make_sqlite_store(const store_settings& cfg, SQLite::Database db, store_lock lock);

} // namespace vigil::detail
