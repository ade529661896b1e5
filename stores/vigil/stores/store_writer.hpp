// The actor that owns a store: it takes the supervisor's events, commits them in
// batches, and retries with backoff when the store fails (DESIGN §10).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "vigil/config/store_settings.hpp"
#include "vigil/messages/atoms.hpp"
#include "vigil/stores/fleet_store.hpp"

namespace vigil {

/// How far a store writer got: sent to the supervisor after every commit attempt.
struct store_progress {
  uint64_t committed = 0;      ///< Events committed so far.
  uint64_t committed_seq = 0;  ///< The newest committed event.
  uint64_t pending = 0;        ///< Taken, not committed yet.
  uint64_t dropped = 0;        ///< Lost because the buffer bound was reached.
  bool failing = false;        ///< The last attempt failed; retrying.
  duration max_lag{0};         ///< Worst time from an event to its commit so far.
  uint64_t repairs = 0;        ///< Repairs of the agents table applied.
  uint64_t repaired_drops = 0; ///< The drops the last applied repair made good.
};

/// @relates store_progress
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_progress& x) {
  return f(caf::meta::type_name("vigil.store_progress"), x.committed, x.committed_seq,
           x.pending, x.dropped, x.failing, x.max_lag, x.repairs, x.repaired_drops);
}

/// The supervisor's record, for a store whose agents table missed events (dropped
/// past the bound): the writer commits the events up to `as_of_seq` it still holds,
/// then replaces the table with `agents`; later events apply on top. `drops`: how many
/// drops it makes good (echoed as `store_progress::repaired_drops`). In-process only.
struct store_repair {
  std::vector<stored_agent> agents;
  uint64_t as_of_seq = 0;
  uint64_t drops = 0;
};

/// What a store writer takes: events to commit (in seq order), and a repair of the
/// agents table. It answers neither; its `store_progress` reports tell how far it got.
using store_writer_actor =
    caf::typed_actor<caf::reacts_to<store_atom, std::vector<event>>,
                     caf::reacts_to<store_repair>>;

/// Spawns the writer of `store`. It reports `store_progress` to `report_to`.
/// `origin`: what stored times count from, on the clock of the events (the Unix epoch,
/// or the clock's own in virtual time). `detached`: on a thread of its
/// own, so that slow disks or networks never hold up a scheduler thread (the
/// simulator, in virtual time, says false). On exit it commits what it still holds,
/// once.
store_writer_actor spawn_store_writer(caf::actor_system& sys,
                                      std::shared_ptr<fleet_store> store,
                                      const store_settings& cfg, caf::actor report_to,
                                      time_point origin, bool detached = true);

} // namespace vigil

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vigil::store_repair)
