// Readable GoogleTest output for vigil's enums.
#pragma once

#include <ostream>

#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/event_kind.hpp"
#include "vigil/messages/slot_kind.hpp"

namespace vigil {

inline void PrintTo(agent_state x, std::ostream* os) {
  *os << to_string(x);
}

inline void PrintTo(event_kind x, std::ostream* os) {
  *os << to_string(x);
}

inline void PrintTo(slot_outcome x, std::ostream* os) {
  *os << to_string(x);
}

} // namespace vigil
