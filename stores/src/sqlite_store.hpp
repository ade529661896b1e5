// The embedded default store: one SQLite file in WAL mode (DESIGN §10).
#pragma once

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "vigil/stores/fleet_store.hpp"

namespace vigil::detail {

/// The schema this build writes; a file with a newer one is refused at open.
constexpr int sqlite_schema_version = 2;

/// Opens (creating if missing) and migrates `path`.
caf::expected<std::shared_ptr<fleet_store>> open_sqlite_store(const std::string& path);

} // namespace vigil::detail
