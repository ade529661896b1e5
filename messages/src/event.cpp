#include "vigil/messages/event.hpp"

#include <tuple>

namespace vigil {

bool operator==(const event& x, const event& y) {
  auto fields = [](const event& e) {
    return std::tie(e.seq, e.kind, e.agent, e.type, e.node, e.from, e.to, e.reason,
                    e.at, e.version, e.missed, e.error, e.waited, e.details, e.attempt,
                    e.restarts, e.delay);
  };
  return fields(x) == fields(y) && x.recovery_at == y.recovery_at && x.due == y.due;
}

} // namespace vigil
