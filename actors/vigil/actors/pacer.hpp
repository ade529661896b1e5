// A node's heartbeat pacer: one timer per beat phase instead of one per agent, and one
// message to the supervisor per tick instead of one per agent (DESIGN §4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "vigil/messages/agent_messages.hpp"
#include "vigil/messages/atoms.hpp"
#include "vigil/messages/stop_stage.hpp"
#include "vigil/messages/time.hpp"

namespace vigil {

/// Where a pacer sends its batches: a supervisor (every `agent_facing_supervisor`
/// narrows to this), or anything that relays to one.
using beat_sink = caf::typed_actor<caf::reacts_to<beat_batch>>;

/// What agents tell their pacer.
///
/// - `pace_atom, key, secret, interval, slot`: tick me every `interval` from now; my
///   beats carry `key` and `secret` (the `beat_secret` of my `registration_ack`).
///   Answered with my slot at this pacer. Sent again with that slot (after a
///   re-registration), it changes the key at once and the interval from the next tick
///   on; the phase stays (`no_pacer_slot` joins anew). Agents send it as a request: a
///   pacer that is gone answers with an error. The pacer does not monitor its agents
///   (a million monitors and a map from address to member cost about 90 B per
///   agent): it lets go of an agent that has ended when its next tick is due.
/// - `supervisor_atom, sink`: send batches there from now on (a node's uplink says so
///   after a reconnect).
///
/// Each tick goes to the agent actor, and only its answer travels on, so a beat still
/// means "the agent actor itself answered": an agent stuck in its mailbox sends
/// nothing and goes offline as before. Ticks and answers are the pacer's business with
/// its agents, not part of this handle; an agent that has not answered its last tick
/// is not ticked again (a stuck agent piles nothing up).
///
/// Every batch says how late the node runs (`beat_batch::lateness`, DESIGN §14): the
/// worst, over the last one or two `lateness_window`s, of how late a tick ran and of
/// how long after its tick was due an answer was sent on. Answers that never come are
/// no part of it: a stuck agent makes nobody else late.
using pacer_actor = caf::typed_actor<
    caf::replies_to<pace_atom, uint64_t, uint64_t, duration, uint32_t>::with<uint32_t>,
    caf::reacts_to<supervisor_atom, beat_sink>>;

/// An agent's slot at its pacer before it has one.
constexpr uint32_t no_pacer_slot = std::numeric_limits<uint32_t>::max();

struct pacer_options {
  /// Agents joining within one such span of each other share a phase (and a timer):
  /// a phase starts at a multiple of it, so an agent's first paced beat comes up to
  /// this much early. Zero: exact phases (the simulator's "every interval from
  /// registration"), one per distinct join instant.
  duration granularity = std::chrono::milliseconds(50);
  /// A batch leaves when every agent of the tick has answered, when it holds this
  /// many beats, or `flush_after` after its first beat, whichever comes first (so one
  /// slow agent does not hold back the others).
  size_t max_batch = 8192;
  duration flush_after = std::chrono::milliseconds(5);
  /// How long a measured lateness is reported: the worst of the current window and
  /// the one before it, so a figure holds for one to two windows.
  duration lateness_window = std::chrono::seconds(10);
};

/// Spawns a pacer that sends its batches to `upstream`. Agents use it when their
/// `agent_options::pacer` names it. Fails with `errc::bad_config` for a null upstream,
/// a negative granularity, a zero batch or one above `max_batch_beats` (what a
/// supervisor accepts), or a non-positive `flush_after` or `lateness_window`. Stop it
/// with an exit message: its pending ticks keep it alive otherwise. However it ends, it
/// tells each of its agents (`pace_atom, its address`), and they beat by themselves.
caf::expected<pacer_actor> spawn_pacer(caf::actor_system& sys, beat_sink upstream,
                                       pacer_options options = {});

template <>
struct stop_stage_of<pacer_actor> {
  static constexpr stop_stage value = stop_stage::links;
};

} // namespace vigil
