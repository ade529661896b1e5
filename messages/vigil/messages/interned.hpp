// Interned strings: one copy per distinct value, for fields a whole fleet shares.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

/// The one process-wide copy of `x`. The pointer stays valid until the process ends
/// and two calls with equal text return the same pointer. For a value a million
/// records share (an agent's type, its node): a pointer is 8 B where a string is 32.
/// Thread-safe; never frees, so intern names, not data.
const std::string* intern(std::string_view x);

/// The interned copy of `x` if there is one, else null: a lookup that adds nothing (for
/// names a peer sends before they are accepted).
const std::string* find_interned(std::string_view x);

} // namespace vigil
