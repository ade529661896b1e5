// What a node's spawner and the supervisor say to each other (DESIGN §12): the node
// offers to start agents of some types; the supervisor asks it for a new life of an id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "vigil/messages/credentials.hpp"

namespace vigil {

/// The supervisor -> a spawner: start a new life of `id` (of `type`) on your node. The
/// new life registers as usual (same id, a new token); the supervisor expects no
/// answer: a life that has not registered within its type's heartbeat timeout counts
/// as a failed attempt.
struct spawn_request {
  std::string id;
  std::string type;
  /// The ended life's version: the supervisor numbers the new life above it.
  uint64_t version = 0;
  uint32_t attempt = 0; ///< 1 for the first restart in a row.
  std::string reason;   ///< The reason of the end that caused it.
};

/// @relates spawn_request
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spawn_request& x) {
  return f(caf::meta::type_name("vigil.spawn_request"), x.id, x.type, x.version,
           x.attempt, x.reason);
}

/// A node's spawner: starts agents when the supervisor asks (`spawn_spawner`).
using spawner_actor = caf::typed_actor<caf::reacts_to<spawn_request>>;

/// A node -> its supervisor (through the gate when remote): `spawner` starts agents of
/// `types` on `node` from now on, in place of the node's earlier offer. A node offers
/// only for itself: when a node of that name registered with a key, the offer must
/// show it (`unauthorized` otherwise). The supervisor watches the spawner: the offer
/// ends when it does.
struct spawner_offer {
  std::string node;
  std::vector<std::string> types;
  credential node_key;
  spawner_actor spawner;
};

/// @relates spawner_offer
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spawner_offer& x) {
  return f(caf::meta::type_name("vigil.spawner_offer"), x.node, x.types, x.node_key,
           x.spawner);
}

} // namespace vigil
