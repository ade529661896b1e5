#include "vigil/messages/backoff.hpp"

#include <algorithm>

namespace vigil {

backoff::backoff(duration min, duration max) noexcept
    : min_(std::max(min, duration{1})), max_(std::max(max, min_)), pause_(min_) {}

duration backoff::next() noexcept {
  auto result = pause_;
  // Doubling stops at `max`, so it can never overflow.
  pause_ = pause_ > max_ / 2 ? max_ : pause_ * 2;
  if (failures_ < UINT32_MAX)
    ++failures_;
  return result;
}

void backoff::reset() noexcept {
  pause_ = min_;
  failures_ = 0;
}

} // namespace vigil
