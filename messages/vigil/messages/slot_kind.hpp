// The two kinds of slot an agent works (DESIGN §2) and what offering one did.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

/// A *work* slot makes the agent `busy`, an *on-call* slot makes it `on_call`.
enum class slot_kind : uint8_t { work, on_call };

/// @relates slot_kind
std::string to_string(slot_kind x);

/// @relates slot_kind
bool from_string(std::string_view text, slot_kind& x);

/// The answer to offering a slot: started at once, or queued behind the current one.
enum class slot_outcome : uint8_t { started, queued };

/// @relates slot_outcome
std::string to_string(slot_outcome x);

} // namespace vigil
