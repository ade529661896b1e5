// Runs a virtual-time system's actors until none has a message, each up to many
// messages per turn.
#pragma once

#include <cstddef>

#include <caf/scheduler/test_coordinator.hpp>

namespace vigil::sim {

/// Runs every job of `sched` until its queue is empty, letting each actor handle up to
/// `throughput` messages per turn (then it goes to the back of the queue). CAF's own
/// `test_coordinator::run` resumes an actor for one message at a time, which at 86
/// million beats a day is most of the simulator's time: a pacer gathering 10,000
/// answers paid for 10,000 resumptions. Virtual time stands still either way, and each
/// actor still handles its messages in order, so every verdict stays the same.
/// Returns the number of turns.
size_t drain(caf::scheduler::test_coordinator& sched, size_t throughput = 1024);

} // namespace vigil::sim
