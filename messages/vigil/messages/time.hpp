// Time vocabulary: vigil measures everything on CAF's actor clock.
#pragma once

#include <chrono>
#include <string>

namespace vigil {

/// The clock every deadline is read from. CAF's `actor_clock` uses the same type, so
/// policies take plain time points and tests pass any instant they like.
using clock = std::chrono::steady_clock;

/// An instant on the actor clock (virtual under CAF's `test_coordinator`).
using time_point = clock::time_point;

/// A span of time with nanosecond resolution; the same type as `caf::timespan`.
using duration = std::chrono::nanoseconds;

/// Writes a duration the way config files spell it: the largest unit that divides it
/// exactly (`"5h"`, `"2m"`, `"30s"`, `"250ms"`, `"1500us"`, `"7ns"`; zero is `"0s"`).
std::string format_duration(duration x);

} // namespace vigil
