// The actor that owns a store: it takes the supervisor's events, commits them in
// batches, and retries with backoff when the store fails (DESIGN §10).
#pragma once

#include <cstdint>
#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>

#include "vigil/config/store_settings.hpp"
#include "vigil/messages/atoms.hpp"
#include "vigil/stores/fleet_store.hpp"

namespace vigil {

/// How far a store writer got: sent to the supervisor after every commit attempt.
struct store_progress {
  uint64_t committed = 0;     ///< Events committed so far.
  uint64_t committed_seq = 0; ///< The newest committed event.
  uint64_t pending = 0;       ///< Taken, not committed yet.
  uint64_t dropped = 0;       ///< Lost because the buffer bound was reached.
  bool failing = false;       ///< The last attempt failed; retrying.
  duration max_lag{0};        ///< Worst time from an event to its commit so far.
};

/// @relates store_progress
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_progress& x) {
  return f(caf::meta::type_name("vigil.store_progress"), x.committed, x.committed_seq,
           x.pending, x.dropped, x.failing, x.max_lag);
}

/// Spawns the writer of `store`. It takes `(store_atom, std::vector<event>)` and
/// reports `store_progress` to `report_to`. `origin`: the Unix epoch on the clock of
/// the events. `detached`: on a thread of its own, so that slow disks or networks never
/// hold up a scheduler thread (the simulator, in virtual time, says false). On exit it
/// commits what it still holds, once.
caf::actor spawn_store_writer(caf::actor_system& sys,
                              std::shared_ptr<fleet_store> store,
                              const store_settings& cfg, caf::actor report_to,
                              time_point origin, bool detached = true);

} // namespace vigil
