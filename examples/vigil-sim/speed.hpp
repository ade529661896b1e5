// --realtime --speed X: the same scenario with every span X times shorter.
#pragma once

#include "scenario.hpp"

namespace vigil::sim {

/// `d` divided by `speed`.
duration scaled(duration d, double speed);

/// A copy of `s` whose settings, timeline and expectations run `speed` times faster.
scenario faster(const scenario& s, double speed);

} // namespace vigil::sim
