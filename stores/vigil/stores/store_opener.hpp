// How `open_store` learns the store kinds a program has: each store component (the
// SQLite and Redis stores) registers its opener, so the seam itself needs neither
// SQLite nor hiredis (DESIGN §9).
#pragma once

#include <memory>

#include <caf/expected.hpp>

#include "vigil/config/store_settings.hpp"

namespace vigil {

class fleet_store;

/// Opens the store of one kind that `cfg` describes.
using store_opener =
    caf::expected<std::shared_ptr<fleet_store>> (*)(const store_settings& cfg);

/// Makes `open_store` open stores of `kind` with `open` (a later call for the same
/// kind replaces the opener). The components call it while the program starts, from an
/// object their targets make every program link: linking `vigil::sqlite` is all a
/// program does to open SQLite stores.
void register_store_opener(store_kind kind, store_opener open) noexcept;

} // namespace vigil
