#include "vigil/nodes/publish.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/openssl/remote_actor.hpp>
#include <caf/sec.hpp>

namespace vigil {

caf::expected<uint16_t> publish_supervisor(caf::actor_system& sys,
                                           const supervisor_actor& sup, uint16_t port,
                                           const std::string& address) {
  const char* in = address.empty() ? nullptr : address.c_str();
  if (sys.has_openssl_manager())
    return caf::openssl::publish(sup, port, in, true);
  return sys.middleman().publish(sup, port, in, true);
}

caf::expected<supervisor_commander>
reach_supervisor(caf::actor_system& sys, const std::string& host, uint16_t port) {
  auto once = [&]() -> caf::expected<supervisor_commander> {
    if (sys.has_openssl_manager())
      return caf::openssl::remote_actor<supervisor_commander>(sys, host, port);
    return sys.middleman().remote_actor<supervisor_commander>(host, port);
  };
  // CAF 0.17.6 starts a new connection's heartbeat clock at the epoch, so a heartbeat
  // tick between our handshake and the peer's answer can abort a healthy connect with
  // `connection_timeout` (likelier over TLS): try again, a bounded number of times.
  auto x = once();
  for (int i = 0; i < 3 && !x && x.error() == caf::sec::connection_timeout; ++i)
    x = once();
  return x;
}

} // namespace vigil
