// The actor system of the web tests: real threads (HTTP servers, sockets, browsers'
// streams), vigil's types registered, CAF's own log quiet.
#pragma once

#include <caf/actor_system_config.hpp>

#include "vigil/messages/register_types.hpp"

namespace vigil::test {

struct real_time_config : caf::actor_system_config {
  real_time_config() {
    register_types(*this);
    set("logger.verbosity", caf::atom("quiet"));
  }
};

} // namespace vigil::test
