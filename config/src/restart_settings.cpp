// Restart settings (DESIGN §12): their words and the checks of settings built in code
// (the JSON loader checks the same rules and reports file positions).
#include "vigil/config/restart_settings.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include <caf/error.hpp>
#include <caf/message.hpp>

#include "vigil/config/detail/setting_checks.hpp"
#include "vigil/messages/detail/words.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil {

namespace {

constexpr detail::word<restart_mode> mode_words[] = {
    {restart_mode::temporary, "temporary"},
    {restart_mode::transient, "transient"},
    {restart_mode::permanent, "permanent"},
};
static_assert(detail::in_enum_order(mode_words));

constexpr detail::word<restart_placement> placement_words[] = {
    {restart_placement::same_node, "same_node"},
    {restart_placement::any, "any"},
};
static_assert(detail::in_enum_order(placement_words));

caf::error bad(const char* name, std::string what) {
  return make_error(errc::bad_config, std::string{name}, std::move(what));
}

} // namespace

std::string to_string(restart_mode x) {
  return detail::word_of(mode_words, x, "restart_mode");
}

bool from_string(std::string_view text, restart_mode& x) {
  return detail::value_of(mode_words, text, x);
}

std::string to_string(restart_placement x) {
  return detail::word_of(placement_words, x, "restart_placement");
}

bool from_string(std::string_view text, restart_placement& x) {
  return detail::value_of(placement_words, text, x);
}

std::string detail::format_number(double x) {
  std::ostringstream out;
  out << x; // six significant digits: enough to recognise what was written
  return out.str();
}

caf::error validate(const restart_settings& x) {
  using detail::format_number;
  using detail::positive;
  auto& b = x.backoff;
  if (auto err = positive("restart.backoff.min", b.min))
    return err;
  if (auto err = positive("restart.backoff.max", b.max))
    return err;
  if (b.max < b.min)
    return bad("restart.backoff.max", "must be at least backoff.min (" +
                                          format_duration(b.min) + "), found " +
                                          format_duration(b.max));
  // `!(x >= 1)` also refuses NaN, which compares false with everything.
  if (!(b.factor >= 1.0) || !std::isfinite(b.factor))
    return bad("restart.backoff.factor",
               "must be a finite number of at least 1, found " +
                   format_number(b.factor));
  if (!(b.jitter >= 0.0 && b.jitter < 1.0))
    return bad("restart.backoff.jitter",
               "must be in [0, 1), found " + format_number(b.jitter));
  if (x.reset_after)
    if (auto err = positive("restart.reset_after", *x.reset_after))
      return err;
  if (x.intensity) {
    if (x.intensity->max < 1 || x.intensity->max > max_restart_intensity)
      return bad("restart.intensity.max",
                 "must be 1 to " + std::to_string(max_restart_intensity) + ", found " +
                     std::to_string(x.intensity->max));
    if (auto err = positive("restart.intensity.period", x.intensity->period))
      return err;
  }
  if (x.wait_for_spawner)
    if (auto err = positive("restart.wait_for_spawner", *x.wait_for_spawner))
      return err;
  return caf::none;
}

caf::error validate(const restart_rate_settings& x) {
  if (!(x.per_second > 0.0 && x.per_second <= max_restart_rate))
    return bad("restart_rate.per_second",
               "must be a finite number above 0 and at most 1e+09, found " +
                   detail::format_number(x.per_second));
  if (x.burst < 1)
    return bad("restart_rate.burst", "must be at least 1, found 0");
  return caf::none;
}

} // namespace vigil
