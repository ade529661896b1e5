// Reading the restart sections of a settings file (DESIGN §8, §12): every bad value is
// named by its JSON Pointer, with what was expected and what was found.
#include "restart_json.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "vigil/config/json_read.hpp"

namespace vigil::detail {

namespace json = boost::json;
using namespace json_read;

namespace {

template <class Enum>
Enum word_at(const json::value& v, const std::string& ptr, const char* expected) {
  auto text = string(v, ptr);
  Enum x{};
  if (!from_string(text, x))
    fail(config_errc::bad_value, ptr, expected, v);
  return x;
}

void read_backoff(const json::value& v, const std::string& ptr, restart_backoff& x) {
  auto& obj = object(v, ptr);
  only_keys(obj, ptr, {"min", "max", "factor", "jitter"});
  if (auto p = obj.if_contains("min"))
    x.min = duration_of(*p, member(ptr, "min"));
  if (auto p = obj.if_contains("max"))
    x.max = duration_of(*p, member(ptr, "max"));
  if (auto p = obj.if_contains("factor")) {
    auto fp = member(ptr, "factor");
    const char* expected = "a number of at least 1, such as 2";
    x.factor = number(*p, fp, expected);
    if (!(x.factor >= 1.0) || !std::isfinite(x.factor))
      fail(config_errc::bad_value, fp, expected, *p);
  }
  if (auto p = obj.if_contains("jitter")) {
    auto jp = member(ptr, "jitter");
    const char* expected = "a number in [0, 1), such as 0.2";
    x.jitter = number(*p, jp, expected); // 0 and 0.0 alike
    if (!(x.jitter >= 0.0 && x.jitter < 1.0))
      fail(config_errc::bad_value, jp, expected, *p);
  }
}

// `null`: off. An object sets the keys it names on top of the current limit (or the
// defaults, when there is none yet).
void read_intensity(const json::value& v, const std::string& ptr,
                    std::optional<restart_intensity>& x) {
  if (v.is_null()) {
    x.reset();
    return;
  }
  if (!v.is_object())
    fail(config_errc::wrong_type, ptr,
         R"(an object such as {"max": 5, "period": "1m"}, or null for off)", v);
  auto& obj = v.get_object();
  only_keys(obj, ptr, {"max", "period"});
  auto y = x.value_or(restart_intensity{});
  if (auto p = obj.if_contains("max"))
    y.max = static_cast<uint32_t>(integer(*p, member(ptr, "max"), 1, max_restart_intensity));
  if (auto p = obj.if_contains("period"))
    y.period = duration_of(*p, member(ptr, "period"));
  x = y;
}

} // namespace

void read_restart(const json::value& v, const std::string& ptr, restart_settings& x) {
  auto& obj = object(v, ptr);
  only_keys(obj, ptr,
            {"policy", "backoff", "reset_after", "intensity", "placement",
             "wait_for_spawner"});
  if (auto p = obj.if_contains("policy"))
    x.policy = word_at<restart_mode>(*p, member(ptr, "policy"),
                                     "one of permanent, transient, temporary");
  if (auto p = obj.if_contains("backoff")) {
    auto bp = member(ptr, "backoff");
    read_backoff(*p, bp, x.backoff);
    auto& bo = p->get_object(); // read_backoff refused anything else
    check_backoff(x.backoff, bp, bo.contains("min"), bo.contains("max"));
  }
  if (auto p = obj.if_contains("reset_after"))
    x.reset_after = optional_duration(*p, member(ptr, "reset_after"));
  if (auto p = obj.if_contains("intensity"))
    read_intensity(*p, member(ptr, "intensity"), x.intensity);
  if (auto p = obj.if_contains("placement"))
    x.placement = word_at<restart_placement>(*p, member(ptr, "placement"),
                                             "one of same_node, any");
  if (auto p = obj.if_contains("wait_for_spawner"))
    x.wait_for_spawner = optional_duration(*p, member(ptr, "wait_for_spawner"));
}

void read_restart_own(const json::value& v, const std::string& ptr,
                      const restart_settings& global, restart_overrides& own) {
  auto probe = resolve(global, own);
  probe.backoff = resolve(global.backoff, own.backoff);
  read_restart(v, ptr, probe);
  auto& obj = v.as_object(); // read_restart refused anything else
  restart_overrides::each_key([&](const char* key, auto global_key, auto own_key) {
    if (obj.contains(key))
      own.*own_key = probe.*global_key;
  });
  if (auto p = obj.if_contains("backoff")) {
    auto& bo = p->as_object();
    backoff_overrides::each_key([&](const char* key, auto global_key, auto own_key) {
      if (bo.contains(key))
        own.backoff.*own_key = probe.backoff.*global_key;
    });
  }
}

void read_restart_rate(const json::value& v, const std::string& ptr,
                       std::optional<restart_rate_settings>& x) {
  if (v.is_null()) {
    x.reset();
    return;
  }
  if (!v.is_object())
    fail(config_errc::wrong_type, ptr,
         R"(an object such as {"per_second": 50, "burst": 100}, or null for off)", v);
  auto& obj = v.get_object();
  only_keys(obj, ptr, {"per_second", "burst"});
  auto y = x.value_or(restart_rate_settings{});
  if (auto p = obj.if_contains("per_second")) {
    auto pp = member(ptr, "per_second");
    const char* expected = "a number above 0 and at most 1000000000, such as 50";
    y.per_second = number(*p, pp, expected);
    if (!(y.per_second > 0.0 && y.per_second <= max_restart_rate))
      fail(config_errc::bad_value, pp, expected, *p);
  }
  if (auto p = obj.if_contains("burst"))
    y.burst = static_cast<uint32_t>(
        integer(*p, member(ptr, "burst"), 1, std::numeric_limits<uint32_t>::max()));
  x = y;
}

void check_backoff(const restart_backoff& x, const std::string& ptr, bool min_written,
                   bool max_written) {
  if ((min_written || max_written) && x.max < x.min)
    fail(config_errc::bad_value, member(ptr, max_written ? "max" : "min"),
         "a max at least as long as min",
         "min " + format_duration(x.min) + ", max " + format_duration(x.max));
}

} // namespace vigil::detail
