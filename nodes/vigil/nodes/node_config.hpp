// Configuring an actor system as a vigil node: the middleman, its connection
// heartbeat, TLS, and vigil's message types (DESIGN §7).
#pragma once

#include <string>

#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "vigil/config/heartbeat_settings.hpp"

namespace vigil {

/// Mutual TLS with `caf::openssl`: this node's certificate and key, and the CA file
/// that must have signed every peer's certificate. All empty: plain TCP.
struct tls_settings {
  std::string certificate;
  std::string key;
  std::string cafile;

  bool enabled() const noexcept {
    return !certificate.empty() || !key.empty() || !cafile.empty();
  }
};

/// The CAF connection heartbeat vigil derives from its own heartbeat settings:
/// CAF 0.17 leaves it off, and then a frozen (SIGSTOPped) peer is never noticed.
/// The middleman pings every `interval` and drops a connection silent for `timeout`.
struct connection_heartbeat {
  duration interval;
  duration timeout;
};

/// `interval`: half the agents' beat interval, within [100 ms, 5 s] and below the
/// timeout; `timeout`: the liveness timeout, so a frozen peer is noticed about when its
/// agents would miss their first beat.
connection_heartbeat connection_heartbeat_for(const heartbeat_settings& hb);

/// Prepares `cfg` for a node, before the actor system is made from it: loads the
/// middleman (and the openssl manager when `tls` is enabled), turns the connection
/// heartbeat on (`middleman.heartbeat-interval`, `middleman.connection-timeout`),
/// sets the application id `vigil` (other CAF applications are refused at the
/// handshake), the `openssl.*` keys, and registers vigil's message types. Every node,
/// supervisor and agents alike, must be configured so. Fails with
/// `errc::bad_config` when the heartbeat makes no sense, or when TLS lacks one of its
/// three files or a file cannot be read (naming it).
caf::error configure_node(caf::actor_system_config& cfg, const heartbeat_settings& hb,
                          const tls_settings& tls = {});

} // namespace vigil
