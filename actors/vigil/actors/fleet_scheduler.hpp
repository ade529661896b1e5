// A CAF scheduler for large fleets of mostly idle actors: FIFO like CAF's `sharing`
// policy, without its shared lock on every hand-off.
#pragma once

#include <cstddef>

#include <caf/fwd.hpp>

namespace vigil {

/// Makes the actor system built from `cfg` run on vigil's fleet scheduler, in place of
/// the one `scheduler.policy` names. `scheduler.max-threads` applies as before.
/// `scheduler.max-throughput` must be finite: a worker's own queue waits while it runs
/// a job, so an actor that never empties its mailbox must yield. Unset, it becomes
/// `default_max_throughput`.
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

/// Messages an actor handles before it yields its worker, unless the config says.
constexpr size_t default_max_throughput = 300;

} // namespace vigil
