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

} // namespace vigil
