// Restart settings (DESIGN §12): their words, their checks in code, and the same keys
// read from JSON, globally and per type.
#include "vigil/config/restart_settings.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include <caf/error.hpp>
#include <caf/message.hpp>
#include <gtest/gtest.h>

#include "vigil/config/settings.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

std::string text(const caf::error& err) {
  return describe(code_of(err), err.context());
}

std::string problem_of(const std::string& json) {
  config_problem why;
  auto x = read_settings(json, "fleet.json", why);
  EXPECT_FALSE(x) << json;
  return to_string(why);
}

settings read_ok(const std::string& json, const settings& base = {}) {
  config_problem why;
  auto x = read_settings(json, "fleet.json", why, base);
  EXPECT_TRUE(x) << to_string(why);
  return x ? *x : settings{};
}

} // namespace

TEST(RestartSettings, WordsGoBothWays) {
  for (auto x :
       {restart_mode::temporary, restart_mode::transient, restart_mode::permanent}) {
    restart_mode y = restart_mode::temporary;
    ASSERT_TRUE(from_string(to_string(x), y)) << to_string(x);
    EXPECT_EQ(x, y);
  }
  for (auto x : {restart_placement::same_node, restart_placement::any}) {
    restart_placement y = restart_placement::any;
    ASSERT_TRUE(from_string(to_string(x), y)) << to_string(x);
    EXPECT_EQ(x, y);
  }
  EXPECT_EQ(to_string(restart_mode::transient), "transient");
  EXPECT_EQ(to_string(restart_placement::same_node), "same_node");
  EXPECT_EQ(to_string(static_cast<restart_mode>(7)), "restart_mode(7)");
  restart_mode m = restart_mode::permanent;
  EXPECT_FALSE(from_string("always", m));
  EXPECT_EQ(m, restart_mode::permanent); // unchanged
}

TEST(RestartSettings, DefaultsAreValidAndRestartNothing) {
  supervisor_settings x;
  EXPECT_EQ(x.restart.policy, restart_mode::temporary);
  EXPECT_FALSE(x.restart_rate);
  EXPECT_FALSE(validate(x.restart));
  EXPECT_FALSE(validate(restart_rate_settings{}));
  EXPECT_FALSE(validate(x));
}

TEST(RestartSettings, NonsenseInCodeIsRefusedNamingTheSetting) {
  auto check = [](auto change, const char* message) {
    restart_settings x;
    change(x);
    EXPECT_EQ(text(validate(x)), message);
  };
  check([](auto& x) { x.backoff.min = 0s; },
        "restart.backoff.min: must be positive, found 0s");
  check([](auto& x) { x.backoff.max = -1s; },
        "restart.backoff.max: must be positive, found -1s");
  check([](auto& x) { x.backoff.max = 500ms; },
        "restart.backoff.max: must be at least backoff.min (1s), found 500ms");
  check([](auto& x) { x.backoff.factor = 0.5; },
        "restart.backoff.factor: must be a finite number of at least 1, found 0.5");
  check([](auto& x) { x.backoff.factor = std::numeric_limits<double>::infinity(); },
        "restart.backoff.factor: must be a finite number of at least 1, found inf");
  check([](auto& x) { x.backoff.factor = std::nan(""); },
        "restart.backoff.factor: must be a finite number of at least 1, found nan");
  check([](auto& x) { x.backoff.jitter = 1; },
        "restart.backoff.jitter: must be in [0, 1), found 1");
  check([](auto& x) { x.backoff.jitter = -0.1; },
        "restart.backoff.jitter: must be in [0, 1), found -0.1");
  check(
      [](auto& x) {
        x.intensity = restart_intensity{0, 1min};
      },
      "restart.intensity.max: must be 1 to 10000, found 0");
  check(
      [](auto& x) {
        x.intensity = restart_intensity{10001, 1min};
      },
      "restart.intensity.max: must be 1 to 10000, found 10001");
  check(
      [](auto& x) {
        x.intensity = restart_intensity{5, 0s};
      },
      "restart.intensity.period: must be positive, found 0s");
  check([](auto& x) { x.reset_after = 0s; },
        "restart.reset_after: must be positive, found 0s");
  check([](auto& x) { x.wait_for_spawner = -5s; },
        "restart.wait_for_spawner: must be positive, found -5s");
  // The boundaries that are fine: max == min, factor 1, jitter just below 1, off.
  restart_settings ok;
  ok.backoff.max = ok.backoff.min;
  ok.backoff.factor = 1;
  ok.backoff.jitter = 0.999;
  ok.reset_after = std::nullopt;
  ok.wait_for_spawner = std::nullopt;
  ok.intensity = restart_intensity{1, 1ns};
  EXPECT_FALSE(validate(ok));
}

TEST(RestartSettings, ABadRateIsRefusedNamingTheSetting) {
  auto msg = [](double per_second, uint32_t burst) {
    return text(validate(restart_rate_settings{per_second, burst}));
  };
  EXPECT_EQ(msg(0, 1), "restart_rate.per_second: must be a finite number above 0 and "
                       "at most 1e+09, found 0");
  EXPECT_EQ(msg(std::numeric_limits<double>::infinity(), 1),
            "restart_rate.per_second: must be a finite number above 0 and at most "
            "1e+09, found inf");
  EXPECT_EQ(msg(std::nan(""), 1), "restart_rate.per_second: must be a finite number "
                                  "above 0 and at most 1e+09, found nan");
  EXPECT_EQ(msg(2e9, 1), "restart_rate.per_second: must be a finite number above 0 "
                         "and at most 1e+09, found 2e+09");
  EXPECT_EQ(msg(2, 0), "restart_rate.burst: must be at least 1, found 0");
  EXPECT_FALSE(validate(restart_rate_settings{1e9, 1}));
  EXPECT_FALSE(validate(restart_rate_settings{0.001, 1}));
  supervisor_settings cfg;
  cfg.restart_rate = restart_rate_settings{2, 0};
  EXPECT_EQ(text(validate(cfg)), "restart_rate.burst: must be at least 1, found 0");
}

TEST(RestartSettings, ATypeInheritsKeyByKeyAndItsProblemsNameTheType) {
  supervisor_settings cfg;
  cfg.restart.policy = restart_mode::transient;
  cfg.restart.backoff.max = 1min;
  cfg.restart.backoff.jitter = 0.2;
  cfg.restart.intensity = restart_intensity{5, 1min};
  cfg.types["coder"].restart.backoff.min = 2s; // this key only
  auto coder = cfg.restart_for("coder");
  EXPECT_EQ(coder.backoff.min, duration{2s});
  EXPECT_EQ(coder.backoff.max, duration{1min});
  EXPECT_EQ(coder.backoff.factor, 2.0);
  EXPECT_EQ(coder.backoff.jitter, 0.2);
  EXPECT_EQ(coder.policy, restart_mode::transient);
  EXPECT_EQ(coder.intensity, (std::optional<restart_intensity>{{5, 1min}}));
  EXPECT_FALSE(validate(cfg));
  cfg.types["coder"].restart.backoff.min = 2min; // above the global max
  EXPECT_EQ(text(validate(cfg)), "types.coder.restart.backoff.min: must be at most "
                                 "backoff.max (1m), found 2m");
  cfg.types["coder"] = {};
  cfg.types["coder"].restart.backoff.max = 500ms; // below the global min
  EXPECT_EQ(text(validate(cfg)), "types.coder.restart.backoff.max: must be at least "
                                 "backoff.min (1s), found 500ms");
  cfg.types["coder"] = {};
  cfg.types["coder"].restart.intensity = restart_intensity{0, 1min};
  EXPECT_EQ(text(validate(cfg)),
            "types.coder.restart.intensity.max: must be 1 to 10000, found 0");
  cfg.types["coder"] = {};
  cfg.types["coder"].restart.intensity = vigil::off;
  EXPECT_FALSE(cfg.restart_for("coder").intensity);
  EXPECT_FALSE(validate(cfg));
  // A bad global is the global's problem, before any type's.
  cfg.restart.backoff.factor = 0;
  EXPECT_EQ(text(validate(cfg)),
            "restart.backoff.factor: must be a finite number of at least 1, found 0");
}

TEST(RestartSettingsJson, ReadsTheGlobalSectionsInTheIssuesShape) {
  auto x = read_ok(R"({
    "restart": {
      "policy": "transient",
      "backoff": {"min": "1s", "max": "5m", "factor": 2, "jitter": 0.2},
      "reset_after": "10m",
      "intensity": {"max": 5, "period": "1m"},
      "placement": "same_node",
      "wait_for_spawner": "5m"
    },
    "restart_rate": {"per_second": 50, "burst": 100}})");
  auto& r = x.supervisor.restart;
  EXPECT_EQ(r.policy, restart_mode::transient);
  EXPECT_EQ(r.backoff.min, duration{1s});
  EXPECT_EQ(r.backoff.max, duration{5min});
  EXPECT_EQ(r.backoff.factor, 2.0);
  EXPECT_EQ(r.backoff.jitter, 0.2);
  EXPECT_EQ(r.reset_after, std::optional<duration>{10min});
  EXPECT_EQ(r.intensity, (std::optional<restart_intensity>{{5, 1min}}));
  EXPECT_EQ(r.placement, restart_placement::same_node);
  EXPECT_EQ(r.wait_for_spawner, std::optional<duration>{5min});
  ASSERT_TRUE(x.supervisor.restart_rate);
  EXPECT_EQ(x.supervisor.restart_rate->per_second, 50.0);
  EXPECT_EQ(x.supervisor.restart_rate->burst, 100u);
  EXPECT_FALSE(validate(x.supervisor));
  // Numbers as numbers: a decimal factor and rate, and any spelling of a number.
  auto y = read_ok(R"({"restart": {"placement": "any", "policy": "permanent",
                                   "backoff": {"factor": 1.5e0}},
                       "restart_rate": {"per_second": 0.5}})");
  EXPECT_EQ(y.supervisor.restart.policy, restart_mode::permanent);
  EXPECT_EQ(y.supervisor.restart.placement, restart_placement::any);
  EXPECT_EQ(y.supervisor.restart.backoff.factor, 1.5);
  EXPECT_EQ(y.supervisor.restart_rate->per_second, 0.5);
  EXPECT_EQ(y.supervisor.restart_rate->burst, 100u); // the default
}

TEST(RestartSettingsJson, JitterZeroAndZeroPointZeroAreAlike) {
  for (auto jitter : {"0", "0.0", "0e0", "-0.0"}) {
    auto x =
        read_ok(std::string{R"({"restart": {"backoff": {"jitter": )"} + jitter + "}}}");
    EXPECT_EQ(x.supervisor.restart.backoff.jitter, 0.0) << jitter;
    EXPECT_FALSE(validate(x.supervisor)) << jitter;
  }
}

TEST(RestartSettingsJson, NullTurnsOff) {
  settings base;
  base.supervisor.restart.intensity = restart_intensity{3, 1min};
  base.supervisor.restart_rate = restart_rate_settings{2, 2};
  auto x = read_ok(R"({"restart": {"intensity": null, "reset_after": null,
                                   "wait_for_spawner": null},
                       "restart_rate": null})",
                   base);
  EXPECT_FALSE(x.supervisor.restart.intensity);
  EXPECT_FALSE(x.supervisor.restart.reset_after);
  EXPECT_FALSE(x.supervisor.restart.wait_for_spawner);
  EXPECT_FALSE(x.supervisor.restart_rate);
  EXPECT_FALSE(validate(x.supervisor));
  // Per type: off for the type, whatever the global.
  auto y = read_ok(R"({"types": {"coder": {"restart": {"intensity": null}}}})", base);
  EXPECT_FALSE(y.supervisor.restart_for("coder").intensity);
  EXPECT_EQ(y.supervisor.restart_for("other").intensity,
            (std::optional<restart_intensity>{{3, 1min}}));
}

TEST(RestartSettingsJson, ATypeSetsOnlyTheKeysItNamesBackoffKeyByKey) {
  auto x = read_ok(R"({
    "restart": {"policy": "transient", "backoff": {"max": "1m", "jitter": 0.5},
                "intensity": {"max": 4, "period": "30s"}},
    "types": {"coder": {"restart": {"backoff": {"min": "2s"}}}}})");
  auto& own = x.supervisor.types.at("coder").restart;
  EXPECT_TRUE(own.backoff.min.is_set());
  EXPECT_FALSE(own.backoff.max.is_set());
  EXPECT_FALSE(own.backoff.factor.is_set());
  EXPECT_FALSE(own.backoff.jitter.is_set());
  EXPECT_FALSE(own.policy.is_set());
  EXPECT_FALSE(own.intensity.is_set());
  auto coder = x.supervisor.restart_for("coder");
  EXPECT_EQ(coder.backoff.min, duration{2s});
  EXPECT_EQ(coder.backoff.max, duration{1min});
  EXPECT_EQ(coder.backoff.jitter, 0.5);
  EXPECT_EQ(coder.policy, restart_mode::transient);
  // A later layer that changes the globals changes them for the keys coder did not
  // name, and keeps the one it did.
  auto y = read_ok(R"({"restart": {"backoff": {"min": "500ms", "max": "2m"},
                                   "policy": "permanent"}})",
                   x);
  auto later = y.supervisor.restart_for("coder");
  EXPECT_EQ(later.backoff.min, duration{2s});
  EXPECT_EQ(later.backoff.max, duration{2min});
  EXPECT_EQ(later.policy, restart_mode::permanent);
  EXPECT_EQ(y.supervisor.restart_for("other").backoff.min, duration{500ms});
  // A partial intensity of a type starts from the global limit.
  auto z =
      read_ok(R"({"types": {"coder": {"restart": {"intensity": {"max": 9}}}}})", x);
  EXPECT_EQ(z.supervisor.restart_for("coder").intensity,
            (std::optional<restart_intensity>{{9, 30s}}));
}

TEST(RestartSettingsJson, JsonAndTheSameKeysInCppResolveAlike) {
  auto x = read_ok(R"({
    "restart": {"policy": "transient", "backoff": {"min": "2s", "factor": 3},
                "placement": "any"},
    "restart_rate": {"per_second": 2, "burst": 2},
    "types": {"coder": {"restart": {"policy": "permanent",
                                    "backoff": {"max": "10s", "jitter": 0.1},
                                    "reset_after": null,
                                    "intensity": {"max": 3, "period": "1m"},
                                    "placement": "same_node",
                                    "wait_for_spawner": "30s"}},
              "batch": {"restart": {"backoff": {"min": "1s"}}}}})");
  supervisor_settings cfg;
  cfg.restart.policy = restart_mode::transient;
  cfg.restart.backoff.min = 2s;
  cfg.restart.backoff.factor = 3;
  cfg.restart.placement = restart_placement::any;
  cfg.restart_rate = restart_rate_settings{2, 2};
  auto& coder = cfg.types["coder"].restart;
  coder.policy = restart_mode::permanent;
  coder.backoff.max = 10s;
  coder.backoff.jitter = 0.1;
  coder.reset_after = vigil::off;
  coder.intensity = restart_intensity{3, 1min};
  coder.placement = restart_placement::same_node;
  coder.wait_for_spawner = duration{30s};
  cfg.types["batch"].restart.backoff.min = 1s;
  EXPECT_FALSE(validate(cfg));
  EXPECT_FALSE(validate(x.supervisor));
  for (auto type : {"coder", "batch", "other"}) {
    auto a = x.supervisor.restart_for(type);
    auto b = cfg.restart_for(type);
    restart_overrides::each_key([&](const char* key, auto global_key, auto) {
      EXPECT_TRUE(a.*global_key == b.*global_key) << type << " " << key;
    });
    backoff_overrides::each_key([&](const char* key, auto global_key, auto) {
      EXPECT_TRUE(a.backoff.*global_key == b.backoff.*global_key) << type << " " << key;
    });
    if (auto i = cfg.types.find(type); i != cfg.types.end()) {
      auto& own_json = x.supervisor.types.at(type).restart;
      restart_overrides::each_key([&](const char* key, auto, auto own_key) {
        EXPECT_TRUE(own_json.*own_key == i->second.restart.*own_key) << type << key;
      });
      backoff_overrides::each_key([&](const char* key, auto, auto own_key) {
        EXPECT_TRUE(own_json.backoff.*own_key == i->second.restart.backoff.*own_key)
            << type << key;
      });
    }
  }
  EXPECT_EQ(x.supervisor.restart_rate->per_second, cfg.restart_rate->per_second);
  EXPECT_EQ(x.supervisor.restart_rate->burst, cfg.restart_rate->burst);
}

TEST(RestartSettingsJson, EveryBadValueGetsOneExactMessage) {
  struct bad_file {
    const char* text;
    const char* message;
  };
  const bad_file cases[] = {
      {R"({"restart": {"policy": "always"}})",
       R"(fleet.json: /restart/policy: expected one of permanent, transient, temporary, found "always")"},
      {R"({"restart": {"policy": 1}})",
       R"(fleet.json: /restart/policy: expected a string, found 1)"},
      {R"({"restart": {"placement": "anywhere"}})",
       R"(fleet.json: /restart/placement: expected one of same_node, any, found "anywhere")"},
      {R"({"restart": {"backoff": {"min": "0s"}}})",
       R"(fleet.json: /restart/backoff/min: expected a positive duration such as "30s", found "0s")"},
      {R"({"restart": {"backoff": {"max": 5}}})",
       R"(fleet.json: /restart/backoff/max: expected a positive duration such as "30s", found 5)"},
      {R"({"restart": {"backoff": {"max": "500ms"}}})",
       R"(fleet.json: /restart/backoff/max: expected a max at least as long as min, found min 1s, max 500ms)"},
      {R"({"restart": {"backoff": {"min": "10m"}}})",
       R"(fleet.json: /restart/backoff/min: expected a max at least as long as min, found min 10m, max 5m)"},
      {R"({"restart": {"backoff": {"factor": 0.5}}})",
       R"(fleet.json: /restart/backoff/factor: expected a number of at least 1, such as 2, found 5E-1)"},
      {R"({"restart": {"backoff": {"factor": "2"}}})",
       R"(fleet.json: /restart/backoff/factor: expected a number of at least 1, such as 2, found "2")"},
      {R"({"restart": {"backoff": {"factor": 1e999}}})",
       R"(fleet.json: /restart/backoff/factor: expected a number of at least 1, such as 2, found Infinity)"},
      {R"({"restart": {"backoff": {"jitter": 1}}})",
       R"(fleet.json: /restart/backoff/jitter: expected a number in [0, 1), such as 0.2, found 1)"},
      {R"({"restart": {"backoff": {"jitter": -0.1}}})",
       R"(fleet.json: /restart/backoff/jitter: expected a number in [0, 1), such as 0.2, found -1E-1)"},
      {R"({"restart": {"backoff": {"jitter": null}}})",
       R"(fleet.json: /restart/backoff/jitter: expected a number in [0, 1), such as 0.2, found null)"},
      {R"({"restart": {"backoff": {"step": 2}}})",
       R"(fleet.json: /restart/backoff/step: expected one of the keys min, max, factor, jitter, found unknown key "step")"},
      {R"({"restart": {"backoff": "1s"}})",
       R"(fleet.json: /restart/backoff: expected an object, found "1s")"},
      {R"({"restart": {"reset_after": "0s"}})",
       R"(fleet.json: /restart/reset_after: expected a positive duration such as "30s", found "0s")"},
      {R"({"restart": {"wait_for_spawner": 300}})",
       R"(fleet.json: /restart/wait_for_spawner: expected a positive duration such as "30s", or null for off, found 300)"},
      {R"({"restart": {"intensity": 5}})",
       R"(fleet.json: /restart/intensity: expected an object such as {"max": 5, "period": "1m"}, or null for off, found 5)"},
      {R"({"restart": {"intensity": {"max": 0}}})",
       R"(fleet.json: /restart/intensity/max: expected an integer from 1 to 10000, found 0)"},
      {R"({"restart": {"intensity": {"period": "0s"}}})",
       R"(fleet.json: /restart/intensity/period: expected a positive duration such as "30s", found "0s")"},
      {R"({"restart": {"intensity": {"max": 5, "window": "1m"}}})",
       R"(fleet.json: /restart/intensity/window: expected one of the keys max, period, found unknown key "window")"},
      {R"({"restart": {"policies": "transient"}})",
       R"(fleet.json: /restart/policies: expected one of the keys policy, backoff, reset_after, intensity, placement, wait_for_spawner, found unknown key "policies")"},
      {R"({"restart_rate": {"per_second": 0}})",
       R"(fleet.json: /restart_rate/per_second: expected a number above 0 and at most 1000000000, such as 50, found 0)"},
      {R"({"restart_rate": {"per_second": 2e9}})",
       R"(fleet.json: /restart_rate/per_second: expected a number above 0 and at most 1000000000, such as 50, found 2E9)"},
      {R"({"restart_rate": {"per_second": "50"}})",
       R"(fleet.json: /restart_rate/per_second: expected a number above 0 and at most 1000000000, such as 50, found "50")"},
      {R"({"restart_rate": {"burst": 0}})",
       R"(fleet.json: /restart_rate/burst: expected an integer from 1 to 4294967295, found 0)"},
      {R"({"restart_rate": {"burst": 2.5}})",
       R"(fleet.json: /restart_rate/burst: expected an integer from 1 to 4294967295, found 2.5E0)"},
      {R"({"restart_rate": {"rate": 5}})",
       R"(fleet.json: /restart_rate/rate: expected one of the keys per_second, burst, found unknown key "rate")"},
      {R"({"restart_rate": 50})",
       R"(fleet.json: /restart_rate: expected an object such as {"per_second": 50, "burst": 100}, or null for off, found 50)"},
      {R"({"types": {"coder": {"restart": {"policy": "sometimes"}}}})",
       R"(fleet.json: /types/coder/restart/policy: expected one of permanent, transient, temporary, found "sometimes")"},
      {R"({"types": {"coder": {"restart": {"backoff": {"jitter": 1.0}}}}})",
       R"(fleet.json: /types/coder/restart/backoff/jitter: expected a number in [0, 1), such as 0.2, found 1E0)"},
      {R"({"types": {"coder": {"restart": {"retries": 3}}}})",
       R"(fleet.json: /types/coder/restart/retries: expected one of the keys policy, backoff, reset_after, intensity, placement, wait_for_spawner, found unknown key "retries")"},
      {R"({"types": {"coder": {"restart_rate": null}}})",
       R"(fleet.json: /types/coder/restart_rate: expected one of the keys heartbeat, watchdog, offline_retention, restart, found unknown key "restart_rate")"},
      // Invalid when resolved: reported at the key the type wrote.
      {R"({"types": {"coder": {"restart": {"backoff": {"min": "6m"}}}}})",
       R"(fleet.json: /types/coder/restart/backoff/min: expected a max at least as long as min, found min 6m, max 5m)"},
      {R"({"types": {"coder": {"restart": {"backoff": {"max": "100ms"}}}}})",
       R"(fleet.json: /types/coder/restart/backoff/max: expected a max at least as long as min, found min 1s, max 100ms)"},
  };
  for (auto& c : cases)
    EXPECT_EQ(problem_of(c.text), c.message) << c.text;
}

TEST(RestartSettingsJson, ALaterGlobalUnderATypesKeyIsStillTheTypesProblem) {
  auto base =
      read_ok(R"({"types": {"coder": {"restart": {"backoff": {"max": "2s"}}}}})");
  config_problem why;
  EXPECT_FALSE(read_settings(R"({"restart": {"backoff": {"min": "3s", "max": "1m"}}})",
                             "top.json", why, base));
  EXPECT_EQ(to_string(why),
            "top.json: /types/coder/restart/backoff/max: expected a max "
            "at least as long as min, found min 3s, max 2s");
}
