#include "vigil/web/fleet_collectable.hpp"

#include <caf/scoped_actor.hpp>
#include <spdlog/logger.h>

#include "vigil/messages/log.hpp"
#include "vigil/web/metrics_text.hpp"

namespace vigil {

caf::expected<fleet_metrics> fetch_metrics(caf::actor_system& sys,
                                           const supervisor_observer& sup,
                                           std::chrono::milliseconds timeout) {
  if (!sup)
    return caf::make_error(caf::sec::invalid_argument,
                           "no supervisor to read metrics of");
  caf::scoped_actor self{sys};
  caf::expected<fleet_metrics> result{fleet_metrics{}};
  self->request(sup, timeout, metrics_atom::value)
      .receive([&](fleet_metrics& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

fleet_collectable::fleet_collectable(caf::actor_system& sys, supervisor_observer sup,
                                     std::chrono::milliseconds timeout)
    : sys_(sys), sup_(std::move(sup)), timeout_(timeout) {}

std::vector<prometheus::MetricFamily> fleet_collectable::Collect() const {
  auto m = fetch_metrics(sys_, sup_, timeout_);
  if (!m) {
    log()->warn("metrics: the supervisor did not answer a scrape: {}",
                sys_.render(m.error()));
    return {};
  }
  return metric_families(*m);
}

} // namespace vigil
