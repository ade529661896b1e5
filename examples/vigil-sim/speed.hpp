// --realtime --speed X: the same scenario with every span X times shorter, and its
// events back in scenario time. Every scaling of vigil-sim's times goes through here.
#pragma once

#include "scenario.hpp"
#include "vigil/messages/event.hpp"

namespace vigil::sim {

/// `d` times `factor`, to the nearest nanosecond: the one place vigil-sim scales a
/// time. Into a run `speed` times faster: `1 / speed`; back to scenario time: `speed`.
duration scaled(duration d, double factor);

/// A copy of `s` whose settings, timeline and expectations run `speed` times faster.
scenario faster(const scenario& s, double speed);

/// `e`, an event of a run `speed` times faster that started at `start`, in scenario
/// time (its times, and the waiting it reports).
event slower(event e, time_point start, double speed);

} // namespace vigil::sim
