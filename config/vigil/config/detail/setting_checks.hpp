// Checks shared by the `validate` functions of the config layer: one wording for the
// same rule, whichever section it guards.
#pragma once

#include <chrono>
#include <string>

#include <caf/fwd.hpp>

#include "vigil/messages/time.hpp"

namespace vigil::detail {

/// The longest span a setting may give: deadlines are `now + span` on a 64-bit
/// nanosecond clock (about 292 years), which must not overflow.
constexpr duration max_setting_span = std::chrono::hours(24 * 36500);

/// `errc::bad_config` naming `name` unless `x` is above zero and at most
/// `max_setting_span` ("must be positive, found 0s").
caf::error positive(const char* name, duration x);

/// `x` as a person would write it: "1", "0.5", "inf".
std::string format_number(double x);

} // namespace vigil::detail
