// One call that makes vigil's messages, events and errors known to an actor system.
#pragma once

#include <caf/fwd.hpp>

namespace vigil {

/// Registers every vigil type that crosses actor or node boundaries under a stable
/// name (`"vigil.event"`, ...) and installs the renderer of the `vigil` error category,
/// so `sys.render(e)` reads `vigil::unknown_agent: no agent "a7"`. Call it on the
/// config of every node, before the actor system starts.
void register_types(caf::actor_system_config& cfg);

} // namespace vigil
