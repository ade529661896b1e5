#include <chrono>
#include <optional>
#include <type_traits>

#include <caf/error.hpp>
#include <caf/message.hpp>
#include <gtest/gtest.h>

#include "vigil/config/agent_settings.hpp"
#include "vigil/config/heartbeat_settings.hpp"
#include "vigil/config/supervisor_settings.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

std::string text(const caf::error& err) {
  return describe(code_of(err), err.context());
}

} // namespace

TEST(HeartbeatSettings, DefaultsAreTheDesignsAndValid) {
  heartbeat_settings x;
  EXPECT_EQ(x.interval, duration{10s});
  EXPECT_EQ(x.timeout, duration{30s});
  EXPECT_EQ(x.check_interval, duration{5s});
  EXPECT_EQ(x.max_missed, 3);
  EXPECT_EQ(x.lag_grace, duration{2s});
  EXPECT_FALSE(validate(x));
}

TEST(HeartbeatSettings, NonsenseIsRefusedNamingTheSetting) {
  heartbeat_settings x;
  x.timeout = -1s;
  EXPECT_EQ(text(validate(x)), "heartbeat.timeout: must be positive, found -1s");
  x = {};
  x.max_missed = 0;
  EXPECT_EQ(text(validate(x)), "heartbeat.max_missed: must be at least 1, found 0");
  x = {};
  x.check_interval = 0s;
  EXPECT_EQ(code_of(validate(x)), errc::bad_config);
}

TEST(AgentSettings, DefaultsAreValidAndZeroRecoveryIsNot) {
  agent_settings x;
  EXPECT_EQ(x.default_recovery, duration{5h});
  EXPECT_FALSE(validate(x));
  x.default_recovery = 0s;
  EXPECT_EQ(text(validate(x)),
            "exhausted.default_recovery: must be positive, found 0s");
}

// A per-type key takes what the global one takes: a heartbeat key cannot be off, and
// a bare number is no duration.
static_assert(std::is_assignable_v<type_key<duration>&, std::chrono::minutes>);
static_assert(!std::is_assignable_v<type_key<duration>&, int>);
static_assert(!std::is_assignable_v<type_key<duration>&, decltype(vigil::off)>);
static_assert(
    std::is_assignable_v<type_key<std::optional<duration>>&, decltype(vigil::off)>);
static_assert(
    std::is_assignable_v<type_key<std::optional<duration>>&, vigil::inherit_t>);

// `= {}` could mean "inherit" or "off": it does not compile.
template <class K, class = void>
struct assignable_from_braces : std::false_type {};
template <class K>
struct assignable_from_braces<K, std::void_t<decltype(std::declval<K&>() = {})>>
    : std::true_type {};
static_assert(!assignable_from_braces<type_key<std::optional<duration>>>::value);
static_assert(!assignable_from_braces<type_key<duration>>::value);
static_assert(
    assignable_from_braces<std::optional<duration>>::value); // the detector works

TEST(TypeSettings, AnOverrideOfOneKeyInCppKeepsEveryOtherKeyOfTheGlobals) {
  supervisor_settings cfg;
  cfg.heartbeat.interval = 4s;
  cfg.heartbeat.check_interval = 7s;
  cfg.heartbeat.max_missed = 5;
  cfg.heartbeat.lag_grace = 1s;
  cfg.heartbeat.lateness_cap = 9s;
  cfg.watchdog.idle_timeout = 5min;
  cfg.watchdog.drain_window = 1min;
  cfg.offline_retention = 2h;
  cfg.types["coder"].heartbeat.timeout = std::chrono::minutes(2);
  cfg.types["batch"].watchdog.max_session = 1h;
  cfg.types["brief"].offline_retention = 1min;
  EXPECT_FALSE(validate(cfg));
  auto coder = cfg.resolved("coder");
  EXPECT_EQ(coder.heartbeat.timeout, duration{2min});
  EXPECT_EQ(coder.heartbeat.interval, duration{4s});
  EXPECT_EQ(coder.heartbeat.check_interval, duration{7s});
  EXPECT_EQ(coder.heartbeat.max_missed, 5);
  EXPECT_EQ(coder.heartbeat.lag_grace, duration{1s});
  EXPECT_EQ(coder.heartbeat.lateness_cap, duration{9s});
  EXPECT_EQ(coder.watchdog.idle_timeout, std::optional<duration>{5min});
  EXPECT_EQ(coder.watchdog.drain_window, std::optional<duration>{1min});
  EXPECT_FALSE(coder.watchdog.max_session);
  EXPECT_EQ(coder.offline_retention, std::optional<duration>{2h});
  // One watchdog key: the others (and the whole heartbeat) stay the globals'.
  auto batch = cfg.resolved("batch");
  EXPECT_EQ(batch.watchdog.max_session, std::optional<duration>{1h});
  EXPECT_EQ(batch.watchdog.idle_timeout, std::optional<duration>{5min});
  EXPECT_EQ(batch.watchdog.drain_window, std::optional<duration>{1min});
  EXPECT_EQ(batch.heartbeat.timeout, duration{30s});
  EXPECT_EQ(batch.heartbeat.check_interval, duration{7s});
  EXPECT_EQ(batch.offline_retention, std::optional<duration>{2h});
  // offline_retention alone.
  EXPECT_EQ(cfg.offline_retention_for("brief"), std::optional<duration>{1min});
  EXPECT_EQ(cfg.heartbeat_for("brief").max_missed, 5);
  EXPECT_EQ(cfg.watchdog_for("brief").idle_timeout, std::optional<duration>{5min});
  // A type without an entry: the globals.
  EXPECT_EQ(cfg.heartbeat_for("other").timeout, duration{30s});
  EXPECT_EQ(cfg.offline_retention_for("other"), std::optional<duration>{2h});
}

TEST(TypeSettings, OffForATypeIsNotInherit) {
  supervisor_settings cfg;
  cfg.watchdog.idle_timeout = 10min;
  cfg.watchdog.max_session = 2h;
  auto& quiet = cfg.types["quiet"];
  quiet.watchdog.idle_timeout = vigil::off;
  quiet.watchdog.max_session = std::nullopt; // also off: a value, as for the globals
  quiet.offline_retention = vigil::off;
  auto& plain = cfg.types["plain"];
  plain.watchdog.idle_timeout = 1min;
  plain.watchdog.idle_timeout = vigil::inherit; // unset again
  EXPECT_TRUE(quiet.watchdog.idle_timeout.is_set());
  EXPECT_FALSE(plain.watchdog.idle_timeout.is_set());
  EXPECT_FALSE(plain.offline_retention.is_set());
  EXPECT_FALSE(cfg.watchdog_for("quiet").idle_timeout);
  EXPECT_FALSE(cfg.watchdog_for("quiet").max_session);
  EXPECT_FALSE(cfg.watchdog_for("quiet").enabled());
  EXPECT_FALSE(cfg.offline_retention_for("quiet"));
  EXPECT_EQ(cfg.watchdog_for("plain").idle_timeout, std::optional<duration>{10min});
  EXPECT_EQ(cfg.watchdog_for("plain").max_session, std::optional<duration>{2h});
  EXPECT_EQ(cfg.offline_retention_for("plain"), std::optional<duration>{24h});
  EXPECT_FALSE(validate(cfg));
}

TEST(TypeSettings, AProblemOfATypeNamesTheKeyTheTypeSets) {
  supervisor_settings cfg;
  cfg.types["coder"].heartbeat.timeout = 5s; // the global interval is 10 s
  EXPECT_EQ(text(validate(cfg)), "types.coder.heartbeat.timeout: must be longer than "
                                 "the interval (10s), found 5s");
  cfg.types["coder"] = {};
  cfg.types["coder"].heartbeat.interval = 40s; // the global timeout is 30 s
  EXPECT_EQ(text(validate(cfg)), "types.coder.heartbeat.interval: must be shorter "
                                 "than the timeout (30s), found 40s");
  cfg.types["coder"] = {};
  cfg.types["coder"].heartbeat.check_interval = 0s;
  EXPECT_EQ(text(validate(cfg)),
            "types.coder.heartbeat.check_interval: must be positive, found 0s");
  cfg.types["coder"] = {};
  cfg.types["coder"].watchdog.max_session = 0s;
  EXPECT_EQ(text(validate(cfg)),
            "types.coder.watchdog.max_session: must be positive, found 0s");
  cfg.types["coder"] = {};
  cfg.types["coder"].offline_retention = 0s;
  EXPECT_EQ(text(validate(cfg)),
            "types.coder.offline_retention: must be positive, found 0s");
  // A bad global is the global's problem, named as such, before any type's.
  cfg.types["coder"] = {};
  cfg.heartbeat.max_missed = 0;
  EXPECT_EQ(text(validate(cfg)), "heartbeat.max_missed: must be at least 1, found 0");
}
