// The Prometheus exposition of a supervisor (DESIGN §13): metric families built from
// `fleet_metrics` with prometheus-cpp's types, and their text format 0.0.4.
#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "vigil/messages/fleet_metrics.hpp"

namespace vigil {

/// The content type of `metrics_text`.
inline constexpr const char* metrics_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

/// Every `vigil_*` family for `m`: base units (seconds), `_total` counters, no label
/// per agent (types beyond `max_metric_types` share the empty type label).
std::vector<prometheus::MetricFamily> metric_families(const fleet_metrics& m);

/// `metric_families(m)` in the Prometheus text format 0.0.4.
std::string metrics_text(const fleet_metrics& m);

} // namespace vigil
