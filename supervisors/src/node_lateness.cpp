#include "vigil/supervisors/node_lateness.hpp"

#include <algorithm>

namespace vigil {

node_lateness::change node_lateness::report(duration lateness, duration threshold,
                                            time_point now) noexcept {
  reported_at_ = now;
  reported_ = true;
  lateness_ = lateness;
  auto over = lateness > threshold;
  if (over == overloaded_) {
    if (over)
      worst_ = std::max(worst_, lateness);
    return change::none;
  }
  overloaded_ = over;
  if (!over)
    return change::left;
  since_ = now;
  worst_ = lateness;
  return change::entered;
}

duration node_lateness::deferral(time_point now, duration cap) const noexcept {
  if (!fresh(now, cap))
    return duration::zero();
  return std::min(lateness_, cap);
}

const char* to_string(node_lateness::change x) noexcept {
  switch (x) {
  case node_lateness::change::none:
    return "none";
  case node_lateness::change::entered:
    return "entered";
  case node_lateness::change::left:
    return "left";
  }
  return "?";
}

} // namespace vigil
