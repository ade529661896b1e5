#include "vigil/messages/time.hpp"

namespace vigil {

std::string format_duration(duration x) {
  using namespace std::chrono;
  if (x < duration::zero())
    return "-" + format_duration(-x);
  if (x == duration::zero())
    return "0s";
  struct unit {
    duration size;
    const char* suffix;
  };
  static constexpr unit units[] = {
      {hours(1), "h"},         {minutes(1), "m"},       {seconds(1), "s"},
      {milliseconds(1), "ms"}, {microseconds(1), "us"},
  };
  for (auto& u : units)
    if (x % u.size == duration::zero())
      return std::to_string(x / u.size) + u.suffix;
  return std::to_string(x.count()) + "ns";
}

} // namespace vigil
