// The part of a supervisor's typed interface that agents use.
#pragma once

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "vigil/messages/agent_messages.hpp"
#include "vigil/messages/spawner_messages.hpp"

namespace vigil {

/// What an agent may send its supervisor: register (a request: the `registration_ack`,
/// or an error such as `duplicate_agent`, decides whether the agent starts), beat
/// (alone, or gathered by its node's pacer into a `beat_batch`), report
/// transitions (a refusal comes back as an error), and feed the watchdog with activity
/// and child reports; and, for its node, offer a spawner (`spawner_offer`: the node
/// starts new lives of its types when the supervisor restarts them, DESIGN §12). A
/// full supervisor handle narrows to this capability implicitly.
using agent_facing_supervisor =
    caf::typed_actor<caf::replies_to<registration>::with<registration_ack>,
                     caf::reacts_to<heartbeat>, caf::reacts_to<beat_batch>,
                     caf::reacts_to<transition_report>, caf::reacts_to<activity_report>,
                     caf::reacts_to<child_report>,
                     caf::replies_to<spawner_offer>::with<void>>;

} // namespace vigil
