// A CAF scheduler for large fleets of mostly idle actors: FIFO like CAF's `sharing`
// policy, without its shared lock on every hand-off.
#pragma once

#include <caf/fwd.hpp>

namespace vigil {

/// Makes the actor system built from `cfg` run on vigil's fleet scheduler, in place of
/// the one `scheduler.policy` names. `scheduler.max-threads` and
/// `scheduler.max-throughput` apply as before.
///
/// Why: a beating fleet wakes every agent once per beat. CAF 0.17's `sharing` policy
/// keeps jobs in FIFO order (which a fleet's timers need: `stealing` runs the newest
/// job first and left pacer ticks waiting for seconds), but every wake-up takes one
/// lock shared by all workers and allocates a list node. Here each worker keeps the
/// jobs its own actors woke in a queue of its own, without locks; a shared queue
/// takes jobs from other threads (the clock, I/O, `scoped_actor`) and is served
/// first, and a busy worker hands half its jobs over when another one runs out.
///
/// Call before constructing the `caf::actor_system`. Not for CAF's test coordinator:
/// tests in virtual time keep `scheduler.policy = testing`.
void use_fleet_scheduler(caf::actor_system_config& cfg);

} // namespace vigil
