#include "vigil/nodes/publish.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/openssl/remote_actor.hpp>

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
  if (sys.has_openssl_manager())
    return caf::openssl::remote_actor<supervisor_commander>(sys, host, port);
  return sys.middleman().remote_actor<supervisor_commander>(host, port);
}

} // namespace vigil
