// A supervisor as a prometheus-cpp `Collectable`: register it with your own
// `prometheus::Registry` (and `Exposer`) to export a supervisor from your program.
#pragma once

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <prometheus/collectable.h>

#include "vigil/messages/fleet_metrics.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil {

/// Asks `sup` for its metrics as an observer (a scoped actor of `sys`), waiting at
/// most `timeout`. Safe from any thread that is not an actor's.
caf::expected<fleet_metrics> fetch_metrics(caf::actor_system& sys,
                                           const supervisor_observer& sup,
                                           std::chrono::milliseconds timeout);

/// Reads the supervisor at each scrape (`Collect`, on the scraping thread). A
/// supervisor that does not answer within the timeout yields no families and one
/// warning in the log; the scrape goes on.
class fleet_collectable : public prometheus::Collectable {
public:
  fleet_collectable(caf::actor_system& sys, supervisor_observer sup,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

  std::vector<prometheus::MetricFamily> Collect() const override;

private:
  caf::actor_system& sys_;
  supervisor_observer sup_;
  std::chrono::milliseconds timeout_;
};

} // namespace vigil
