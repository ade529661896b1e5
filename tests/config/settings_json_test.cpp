#include "vigil/config/settings.hpp"

#include "vigil/config/json_read.hpp"

#include <chrono>
#include <fstream>
#include <sstream>

#include <caf/error.hpp>
#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

std::string problem_of(const std::string& text) {
  config_problem why;
  auto x = read_settings(text, "fleet.json", why);
  EXPECT_FALSE(x) << text;
  return to_string(why);
}

struct bad_file {
  const char* text;
  const char* message;
};

} // namespace

TEST(SettingsJson, DefaultsFileHoldsTheLibraryDefaults) {
  config_problem why;
  auto x = read_settings_file(VIGIL_DEFAULTS_JSON, why);
  ASSERT_TRUE(x) << to_string(why);
  settings d;
  EXPECT_EQ(x->supervisor.heartbeat.interval, d.supervisor.heartbeat.interval);
  EXPECT_EQ(x->supervisor.heartbeat.timeout, d.supervisor.heartbeat.timeout);
  EXPECT_EQ(x->supervisor.heartbeat.check_interval,
            d.supervisor.heartbeat.check_interval);
  EXPECT_EQ(x->supervisor.heartbeat.max_missed, d.supervisor.heartbeat.max_missed);
  EXPECT_EQ(x->supervisor.heartbeat.lag_grace, d.supervisor.heartbeat.lag_grace);
  EXPECT_FALSE(x->supervisor.watchdog.enabled());
  EXPECT_EQ(x->agent.default_recovery, d.agent.default_recovery);
  EXPECT_EQ(x->supervisor.retention, d.supervisor.retention);
  EXPECT_EQ(x->supervisor.history, d.supervisor.history);
  EXPECT_EQ(x->supervisor.subscriber_window, d.supervisor.subscriber_window);
  EXPECT_EQ(x->agent.slot_queue, d.agent.slot_queue);
  EXPECT_EQ(x->log_level, d.log_level);
  EXPECT_TRUE(x->supervisor.types.empty());
  EXPECT_EQ(x->supervisor.store.kind, d.supervisor.store.kind);
  EXPECT_EQ(x->supervisor.store.batch_size, d.supervisor.store.batch_size);
  EXPECT_EQ(x->supervisor.store.batch_interval, d.supervisor.store.batch_interval);
  EXPECT_EQ(x->supervisor.store.buffer, d.supervisor.store.buffer);
  EXPECT_EQ(x->supervisor.store.prefix, d.supervisor.store.prefix);
  EXPECT_EQ(x->supervisor.store.stream_maxlen, d.supervisor.store.stream_maxlen);
  auto& r = x->supervisor.restart;
  auto& dr = d.supervisor.restart;
  EXPECT_EQ(r.policy, dr.policy);
  EXPECT_EQ(r.backoff.min, dr.backoff.min);
  EXPECT_EQ(r.backoff.max, dr.backoff.max);
  EXPECT_EQ(r.backoff.factor, dr.backoff.factor);
  EXPECT_EQ(r.backoff.jitter, dr.backoff.jitter);
  EXPECT_EQ(r.reset_after, dr.reset_after);
  EXPECT_EQ(r.intensity, dr.intensity);
  EXPECT_EQ(r.placement, dr.placement);
  EXPECT_EQ(r.wait_for_spawner, dr.wait_for_spawner);
  EXPECT_EQ(x->supervisor.restart_rate.has_value(),
            d.supervisor.restart_rate.has_value());
}

TEST(SettingsJson, ReadsEveryKeyAndDurationUnit) {
  config_problem why;
  auto x = read_settings(R"({
    "heartbeat": {"interval": "250ms", "timeout": "2m", "check_interval": "1.5s",
                  "max_missed": 5, "lag_grace": "0s"},
    "watchdog": {"idle_timeout": "5m", "max_session": "2h", "drain_window": "0s",
                 "status_interval": null, "suspect_waiting_on_child": "90s"},
    "exhausted": {"default_recovery": "1d"},
    "retention": "30s", "history": 10, "subscriber_window": 2, "slot_queue": 0,
    "log": {"level": "warn"}})",
                         "f.json", why);
  ASSERT_TRUE(x) << to_string(why);
  auto& hb = x->supervisor.heartbeat;
  EXPECT_EQ(hb.interval, duration{250ms});
  EXPECT_EQ(hb.timeout, duration{2min});
  EXPECT_EQ(hb.check_interval, duration{1500ms});
  EXPECT_EQ(hb.max_missed, 5);
  EXPECT_EQ(hb.lag_grace, duration{0s});
  EXPECT_EQ(x->agent.heartbeat_interval, duration{250ms});
  auto& wd = x->supervisor.watchdog;
  EXPECT_EQ(wd.idle_timeout, std::optional<duration>{5min});
  EXPECT_EQ(wd.max_session, std::optional<duration>{2h});
  EXPECT_EQ(wd.drain_window, std::optional<duration>{0s});
  EXPECT_FALSE(wd.status_interval);
  EXPECT_EQ(x->agent.default_recovery, duration{24h});
  EXPECT_EQ(x->supervisor.retention, duration{30s});
  EXPECT_EQ(x->supervisor.history, 10u);
  EXPECT_EQ(x->agent.slot_queue, 0u);
  EXPECT_EQ(x->log_level, "warn");
}

TEST(SettingsJson, TypesOverrideTheGlobalsKeyByKeyWhateverTheOrder) {
  config_problem why;
  auto x = read_settings(R"({
    "types": {"coder": {"heartbeat": {"timeout": "2m"},
                        "watchdog": {"idle_timeout": "10m"}}},
    "heartbeat": {"interval": "5s", "timeout": "20s"},
    "watchdog": {"max_session": "1h"}})",
                         "f.json", why);
  ASSERT_TRUE(x) << to_string(why);
  auto coder = x->supervisor.resolved("coder");
  EXPECT_EQ(coder.heartbeat.timeout, duration{2min});
  EXPECT_EQ(coder.heartbeat.interval, duration{5s}); // from the globals
  EXPECT_EQ(coder.watchdog.idle_timeout, std::optional<duration>{10min});
  EXPECT_EQ(coder.watchdog.max_session, std::optional<duration>{1h});
  EXPECT_EQ(x->agent_for("coder").heartbeat_interval, duration{5s});
  EXPECT_EQ(x->supervisor.heartbeat_for("other").timeout, duration{20s});
}

TEST(SettingsJson, LaterLayersOverrideEarlierOnes) {
  config_problem why;
  auto base = read_settings(R"({"heartbeat": {"timeout": "1m"}, "retention": "1h"})",
                            "base.json", why);
  ASSERT_TRUE(base);
  auto x = read_settings(R"({"retention": "2h"})", "top.json", why, *base);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->supervisor.heartbeat.timeout, duration{1min});
  EXPECT_EQ(x->supervisor.retention, duration{2h});
}

TEST(SettingsJson, EveryBadFileGetsOneExactMessage) {
  const bad_file cases[] = {
      {R"({"heartbeat": {"timeout": 30}})",
       R"(fleet.json: /heartbeat/timeout: expected a positive duration such as "30s", found 30)"},
      {R"({"heartbeat": {"timeout": "30"}})",
       R"(fleet.json: /heartbeat/timeout: expected a positive duration such as "30s", found "30")"},
      {R"({"heartbeat": {"timeout": "30 s"}})",
       R"(fleet.json: /heartbeat/timeout: expected a positive duration such as "30s", found "30 s")"},
      {R"({"heartbeat": {"timeout": "0s"}})",
       R"(fleet.json: /heartbeat/timeout: expected a positive duration such as "30s", found "0s")"},
      {R"({"heartbeat": {"check_interval": "-5s"}})",
       R"(fleet.json: /heartbeat/check_interval: expected a positive duration such as "30s", found "-5s")"},
      {R"({"heartbeat": {"timout": "30s"}})",
       R"(fleet.json: /heartbeat/timout: expected one of the keys interval, timeout, check_interval, max_missed, lag_grace, lateness_cap, found unknown key "timout")"},
      {R"({"heartbeats": {}})",
       R"(fleet.json: /heartbeats: expected one of the keys heartbeat, watchdog, exhausted, retention, offline_retention, history, subscriber_window, max_subscribers, slot_queue, log, types, store, restart, restart_rate, found unknown key "heartbeats")"},
      {R"({"heartbeat": {"max_missed": 0}})",
       R"(fleet.json: /heartbeat/max_missed: expected an integer from 1 to 1000000, found 0)"},
      {R"({"heartbeat": {"max_missed": "3"}})",
       R"(fleet.json: /heartbeat/max_missed: expected an integer from 1 to 1000000, found "3")"},
      {R"({"heartbeat": {"interval": null}})",
       R"(fleet.json: /heartbeat/interval: expected a positive duration such as "30s", found null)"},
      {R"({"watchdog": {"idle_timeout": 5}})",
       R"(fleet.json: /watchdog/idle_timeout: expected a positive duration such as "30s", or null for off, found 5)"},
      {R"({"log": {"level": "loud"}})",
       R"(fleet.json: /log/level: expected one of trace, debug, info, warn, error, off, found "loud")"},
      {R"({"types": {"coder": {"heartbeat": {"timeout": "2x"}}}})",
       R"(fleet.json: /types/coder/heartbeat/timeout: expected a positive duration such as "30s", found "2x")"},
      {R"({"types": {"a/b": {"retention": "1m"}}})",
       R"(fleet.json: /types/a~1b/retention: expected one of the keys heartbeat, watchdog, offline_retention, restart, found unknown key "retention")"},
      {R"({"heartbeat": []})",
       R"(fleet.json: /heartbeat: expected an object, found [])"},
      {R"([1, 2])",
       R"(fleet.json: (the whole document): expected an object, found [1,2])"},
      {"{\n  \"heartbeat\": {\n    \"timeout\": \"30s\",\n  }\n}",
       "fleet.json:4:3: invalid JSON: syntax error"},
      {"{\"retention\": \"10m\"", "fleet.json:1:20: invalid JSON: incomplete JSON"},
      {R"({"store": {"kind": "postgres"}})",
       R"(fleet.json: /store/kind: expected one of none, sqlite, redis, found "postgres")"},
      {R"({"store": {"kind": "sqlite"}})",
       R"(fleet.json: /store/path: expected the database file of a sqlite store, found no "path")"},
      {R"({"store": {"kind": "redis", "url": "http://localhost"}})",
       R"(fleet.json: /store/url: expected a URL such as "redis://127.0.0.1:6379/0" (it must start with redis://), found "http://localhost")"},
#ifdef VIGIL_TEST_WITH_REDIS // the full check comes with the Redis store
      {R"({"store": {"kind": "redis", "url": "redis://h:99999/0"}})",
       R"(fleet.json: /store/url: expected a URL such as "redis://127.0.0.1:6379/0" (the port must be a number from 1 to 65535), found "redis://h:99999/0")"},
#endif
      {R"({"store": {"batch_size": 0}})",
       R"(fleet.json: /store/batch_size: expected an integer from 1 to 1048576, found 0)"},
      {R"({"store": {"batch_interval": "0ms"}})",
       R"(fleet.json: /store/batch_interval: expected a positive duration such as "30s", found "0ms")"},
      {R"({"store": {"kind": "sqlite", "file": "x.db"}})",
       R"(fleet.json: /store/file: expected one of the keys kind, path, url, prefix, batch_size, batch_interval, buffer, stream_maxlen, events_retention, reply_timeout, found unknown key "file")"},
  };
  for (auto& c : cases)
    EXPECT_EQ(problem_of(c.text), c.message) << c.text;
}

TEST(SettingsJson, UnreadableFileIsAProblemToo) {
  config_problem why;
  EXPECT_FALSE(read_settings_file("/nonexistent/fleet.json", why));
  EXPECT_EQ(why.code, config_errc::unreadable);
  EXPECT_EQ(to_string(why), "/nonexistent/fleet.json: cannot be read (expected a "
                            "readable file, none could be opened)");
}

TEST(SettingsJson, TypeKeysStayAsWrittenWhenALaterLayerChangesTheGlobals) {
  config_problem why;
  auto base = read_settings(R"({"types": {"coder": {"heartbeat": {"timeout": "2m"}}}})",
                            "cfg.json", why);
  ASSERT_TRUE(base) << to_string(why);
  auto x =
      read_settings(R"({"heartbeat": {"interval": "2s"}})", "scenario", why, *base);
  ASSERT_TRUE(x) << to_string(why);
  auto coder = x->supervisor.resolved("coder");
  EXPECT_EQ(coder.heartbeat.interval, duration{2s});  // the new global
  EXPECT_EQ(coder.heartbeat.timeout, duration{2min}); // the type's own key
  auto y = read_settings(R"({"types": {"coder": {"heartbeat": {"max_missed": 5}}}})",
                         "more.json", why, *x);
  ASSERT_TRUE(y) << to_string(why);
  EXPECT_EQ(y->supervisor.heartbeat_for("coder").timeout, duration{2min});
  EXPECT_EQ(y->supervisor.heartbeat_for("coder").max_missed, 5);
}

TEST(SettingsJson, HeartbeatTimesMustMakeSenseTogether) {
  EXPECT_EQ(
      problem_of(R"({"heartbeat": {"interval": "10s", "timeout": "5s"}})"),
      "fleet.json: /heartbeat/timeout: expected a timeout longer than the interval, "
      "found interval 10s, timeout 5s");
  EXPECT_EQ(problem_of(R"({"heartbeat": {"interval": "1ns"}})"),
            R"(fleet.json: /heartbeat/interval: expected at least 1ms, found "1ns")");
}

TEST(SettingsJson, DurationsAreExactNanosecondsAndLongDigitStringsAreRefusedNotFatal) {
  using json_read::parse_duration;
  duration x{0};
  ASSERT_TRUE(parse_duration("1.5s", x));
  EXPECT_EQ(x, duration{1'500'000'000});
  ASSERT_TRUE(parse_duration("0.000000001s", x));
  EXPECT_EQ(x, duration{1});
  ASSERT_TRUE(parse_duration("1.250000000000000000000000000000ms", x)); // zeros: exact
  EXPECT_EQ(x, duration{1'250'000});
  ASSERT_TRUE(parse_duration("1h30m", x));
  EXPECT_EQ(x, duration{std::chrono::minutes(90)});
  ASSERT_TRUE(parse_duration("9223372036854775807ns", x)); // the clock's range, exactly
  EXPECT_EQ(x, duration::max());
  EXPECT_FALSE(parse_duration("9223372036854775808ns", x));
  EXPECT_FALSE(parse_duration("106752d", x)); // beyond ~292 years
  EXPECT_FALSE(parse_duration("0.5ns", x));   // finer than 1 ns: refused, not rounded
  EXPECT_FALSE(parse_duration("0.0000000001s", x));
  EXPECT_FALSE(parse_duration("1" + std::string(400, '0') + "s", x));
  EXPECT_FALSE(parse_duration("0." + std::string(400, '0') + "1s", x));
  // In a settings file: the usual one-line message, no exception, no abort.
  std::string text =
      R"({"heartbeat": {"timeout": "1)" + std::string(400, '0') + R"(s"}})";
  config_problem why;
  EXPECT_FALSE(read_settings(text, "fleet.json", why));
  EXPECT_NE(
      to_string(why).find(
          R"(fleet.json: /heartbeat/timeout: expected a positive duration such as "30s")"),
      std::string::npos)
      << to_string(why);
}

namespace {

// Every key of two type entries, and of what they resolve to, is the same.
void expect_same(const supervisor_settings& x, const supervisor_settings& y,
                 const std::string& type) {
  auto& a = x.types.at(type);
  auto& b = y.types.at(type);
  heartbeat_overrides::each_key([&](const char* key, auto global_key, auto own_key) {
    EXPECT_TRUE(a.heartbeat.*own_key == b.heartbeat.*own_key) << key;
    EXPECT_EQ(x.heartbeat_for(type).*global_key, y.heartbeat_for(type).*global_key)
        << key;
  });
  watchdog_overrides::each_key([&](const char* key, auto global_key, auto own_key) {
    EXPECT_TRUE(a.watchdog.*own_key == b.watchdog.*own_key) << key;
    EXPECT_EQ(x.watchdog_for(type).*global_key, y.watchdog_for(type).*global_key)
        << key;
  });
  EXPECT_TRUE(a.offline_retention == b.offline_retention);
  EXPECT_EQ(x.offline_retention_for(type), y.offline_retention_for(type));
}

} // namespace

TEST(SettingsJson, ATypesEntryInJsonAndTheSameKeysInCppResolveAlike) {
  config_problem why;
  auto x = read_settings(R"({
    "heartbeat": {"check_interval": "7s", "max_missed": 4},
    "watchdog": {"idle_timeout": "5m", "max_session": "2h"},
    "offline_retention": "2h",
    "types": {"coder": {"heartbeat": {"timeout": "2m"},
                        "watchdog": {"max_session": null, "drain_window": "1m"},
                        "offline_retention": null},
              "batch": {"heartbeat": {"max_missed": 9}}}})",
                         "f.json", why);
  ASSERT_TRUE(x) << to_string(why);
  supervisor_settings cfg;
  cfg.heartbeat.check_interval = 7s;
  cfg.heartbeat.max_missed = 4;
  cfg.watchdog.idle_timeout = 5min;
  cfg.watchdog.max_session = 2h;
  cfg.offline_retention = 2h;
  cfg.types["coder"].heartbeat.timeout = 2min;
  cfg.types["coder"].watchdog.max_session = vigil::off;
  cfg.types["coder"].watchdog.drain_window = 1min;
  cfg.types["coder"].offline_retention = vigil::off;
  cfg.types["batch"].heartbeat.max_missed = 9;
  EXPECT_FALSE(validate(cfg));
  EXPECT_FALSE(validate(x->supervisor));
  expect_same(x->supervisor, cfg, "coder");
  expect_same(x->supervisor, cfg, "batch");
  auto coder = cfg.resolved("coder");
  EXPECT_EQ(coder.heartbeat.timeout, duration{2min});
  EXPECT_EQ(coder.heartbeat.check_interval, duration{7s});
  EXPECT_EQ(coder.heartbeat.max_missed, 4);
  EXPECT_EQ(coder.watchdog.idle_timeout, std::optional<duration>{5min});
  EXPECT_FALSE(coder.watchdog.max_session); // off for this type
  EXPECT_FALSE(coder.offline_retention);
  EXPECT_FALSE(x->supervisor.types.at("coder").heartbeat.interval.is_set());
}

TEST(SettingsJson, OffForATypeStaysOffWhenALaterLayerSetsTheGlobal) {
  config_problem why;
  auto base = read_settings(
      R"({"types": {"quiet": {"watchdog": {"idle_timeout": null}}, "plain": {}}})",
      "base.json", why);
  ASSERT_TRUE(base) << to_string(why);
  auto x =
      read_settings(R"({"watchdog": {"idle_timeout": "5m"}})", "top.json", why, *base);
  ASSERT_TRUE(x) << to_string(why);
  EXPECT_FALSE(x->supervisor.watchdog_for("quiet").idle_timeout);
  EXPECT_EQ(x->supervisor.watchdog_for("plain").idle_timeout,
            std::optional<duration>{5min});
  EXPECT_EQ(x->supervisor.watchdog_for("other").idle_timeout,
            std::optional<duration>{5min});
}

TEST(SettingsJson, ATypeKeyThatBreaksTheResolvedTypeIsReportedWhereItIsWritten) {
  EXPECT_EQ(
      problem_of(R"({"types": {"coder": {"heartbeat": {"timeout": "5s"}}}})"),
      "fleet.json: /types/coder/heartbeat/timeout: expected a timeout longer than the "
      "interval, found interval 10s, timeout 5s");
  EXPECT_EQ(
      problem_of(R"({"types": {"coder": {"heartbeat": {"interval": "40s"}}}})"),
      "fleet.json: /types/coder/heartbeat/interval: expected a timeout longer than the "
      "interval, found interval 40s, timeout 30s");
  EXPECT_EQ(
      problem_of(R"({"types": {"coder": {"heartbeat": {"interval": "1ns"}}}})"),
      R"(fleet.json: /types/coder/heartbeat/interval: expected at least 1ms, found "1ns")");
  // A later layer that moves a global under a type's key: still the type's key.
  config_problem why;
  auto base = read_settings(
      R"({"types": {"coder": {"heartbeat": {"timeout": "20s"}}}})", "base.json", why);
  ASSERT_TRUE(base) << to_string(why);
  EXPECT_FALSE(read_settings(R"({"heartbeat": {"interval": "25s", "timeout": "1m"}})",
                             "top.json", why, *base));
  EXPECT_EQ(to_string(why),
            "top.json: /types/coder/heartbeat/timeout: expected a timeout longer than "
            "the interval, found interval 25s, timeout 20s");
}
