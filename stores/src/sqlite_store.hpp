// The embedded default store: one SQLite file in WAL mode (DESIGN §10). Opening and
// migrating the file is sqlite_open.cpp; the record itself, sqlite_store.cpp.
#pragma once

#include <memory>
#include <string>

#include <caf/expected.hpp>
#include <sqlite3.h>

#include "vigil/stores/fleet_store.hpp"

namespace vigil::detail {

/// The schema this build writes; a file with a newer one is refused at open.
constexpr int sqlite_schema_version = 3;

/// Opens (creating if missing) and migrates `cfg.path`; prunes events by
/// `cfg.events_retention`.
caf::expected<std::shared_ptr<fleet_store>>
open_sqlite_store(const store_settings& cfg);

/// The store over `db`, already at `sqlite_schema_version`; it closes `db` and
/// `lock_fd` (the flock that keeps other supervisors out) when it goes.
std::shared_ptr<fleet_store> make_sqlite_store(const store_settings& cfg, sqlite3* db,
                                               int lock_fd);

} // namespace vigil::detail
