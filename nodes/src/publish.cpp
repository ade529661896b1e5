#include "vigil/nodes/publish.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/openssl/remote_actor.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>

namespace vigil {

caf::expected<uint16_t> publish_supervisor(caf::actor_system& sys,
                                           const supervisor_actor& sup, uint16_t port,
                                           const std::string& address,
                                           gate_options gate) {
  auto g = spawn_gate(sys, sup, std::move(gate));
  if (!g)
    return std::move(g.error());
  const char* in = address.empty() ? "127.0.0.1" : address.c_str();
  auto published = sys.has_openssl_manager()
                       ? caf::openssl::publish(*g, port, in, true)
                       : sys.middleman().publish(*g, port, in, true);
  if (!published)
    stop_gate(*g); // (it ignores exit messages)
  return published;
}

bool is_loopback(const std::string& address) {
  return address.empty() || address == "localhost" || address == "::1" ||
         address.rfind("127.", 0) == 0;
}

caf::expected<supervisor_gate>
reach_supervisor(caf::actor_system& sys, const std::string& host, uint16_t port) {
  auto once = [&]() -> caf::expected<supervisor_gate> {
    if (sys.has_openssl_manager())
      return caf::openssl::remote_actor<supervisor_gate>(sys, host, port);
    return sys.middleman().remote_actor<supervisor_gate>(host, port);
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
