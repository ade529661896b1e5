// What passes between a pacer and its agents and timers, and no user sends: the
// pacer's whole typed interface (pacer.hpp lists what users send).
#pragma once

#include <cstdint>

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "vigil/actors/pacer.hpp"
#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/atoms.hpp"
#include "vigil/messages/time.hpp"

namespace vigil::detail {

/// The pacer's timer for the phase due at the time it carries.
using pace_tick_atom = caf::atom_constant<caf::atom("pace_tick")>;

/// The pacer as it is implemented: its public interface plus
///
/// - `beat_atom, ticket, token, state, version`: an agent's answer to a tick
///   (`beat_atom, ticket, token`, which the agent handles). The ticket is the member's
///   slot; the token a fresh pseudo-random number per tick. The pacer takes only state
///   and version from it: the key is the one the ticket's member joined with, and only
///   an answer with the token of that member's last tick counts, so no misrouted or
///   stale answer beats for an agent. (It is no defence against hostile code in the
///   same process, which shares the pacer's memory anyway.) A member whose last tick
///   is still unanswered is not ticked again (a stuck agent piles nothing up). Ticks
///   and answers travel without a sender (`eq_impl`): at a million beats a second,
///   the sender's reference count (touched by both workers) cost more than the rest
///   of the message.
/// - `pace_tick_atom, due`: its timer for the phase due then.
/// - `caf::flush_atom`: its timer for a batch that waits for slow answers.
using pacer_impl = pacer_actor::extend<
    caf::reacts_to<beat_atom, uint32_t, uint32_t, agent_state, uint64_t>,
    caf::reacts_to<pace_tick_atom, time_point>, caf::reacts_to<caf::flush_atom>>;

} // namespace vigil::detail
