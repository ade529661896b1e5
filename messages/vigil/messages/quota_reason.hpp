// Why an agent is exhausted (DESIGN §2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

/// The kind of quota error that sent an agent to `exhausted`.
enum class quota_reason : uint8_t { rate_limit, billing };

/// @relates quota_reason
std::string to_string(quota_reason x);

/// @relates quota_reason
bool from_string(std::string_view text, quota_reason& x);

} // namespace vigil
