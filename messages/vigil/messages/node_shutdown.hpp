// The exit reason of an agent its own node ends in order (DESIGN §12): the supervisor
// records it `killed (node_shutdown)` and no restart policy brings it back.
#pragma once

#include <string>
#include <utility>

#include <caf/error.hpp>

#include "vigil/messages/errc.hpp"

namespace vigil {

/// The exit reason for an agent that `node` ends in an orderly shutdown (Ctrl-C, a
/// `fleet_scope` stopping): `errc::node_shutdown` with the node's name (none when
/// empty). Send it as the exit message, e.g.
/// `caf::anon_send_exit(agent, vigil::node_shutdown_reason("node-a"))`; the agent quits
/// at once and reports nothing more (its supervisor sees the reason in its down
/// message).
inline caf::error node_shutdown_reason(std::string node = {}) {
  if (node.empty())
    return make_error(errc::node_shutdown);
  return make_error(errc::node_shutdown, std::move(node));
}

/// Whether `reason` (an exit or down reason) is an orderly node shutdown, of any node.
inline bool is_node_shutdown(const caf::error& reason) noexcept {
  return code_of(reason) == errc::node_shutdown;
}

} // namespace vigil
