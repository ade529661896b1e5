// Publishing a supervisor so agents on other nodes can reach it (DESIGN §7).
#pragma once

#include <cstdint>
#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "vigil/nodes/gate.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil {

/// Listens for other nodes on `port` (0: any free port) at `address` (empty:
/// 127.0.0.1, loopback only; name an address, or `0.0.0.0`, to listen beyond this
/// host), with TLS when the system was configured with it (`configure_node`). What
/// it publishes is a gate in front of `sup` (`spawn_gate` with `gate`), never the
/// supervisor itself (DESIGN §11). Returns the port it listens on. A plaintext peer
/// cannot talk to a TLS supervisor, and with TLS a peer whose certificate the CA did
/// not sign is refused at the handshake.
caf::expected<uint16_t> publish_supervisor(caf::actor_system& sys,
                                           const supervisor_actor& sup, uint16_t port,
                                           const std::string& address = {},
                                           gate_options gate = {});

/// Whether `address` (as given to `publish_supervisor`) listens on loopback only.
bool is_loopback(const std::string& address);

/// Reaches the supervisor published at `host:port` (blocking; bounded by the
/// connection heartbeat when the peer is silent): its gate. Queries and subscriptions
/// need no credential; commands carry the commander credential. For agents use
/// `spawn_uplink`, which reconnects.
caf::expected<supervisor_gate> reach_supervisor(caf::actor_system& sys,
                                                const std::string& host, uint16_t port);

} // namespace vigil
