#include <chrono>

#include <caf/error.hpp>
#include <caf/message.hpp>
#include <gtest/gtest.h>

#include "vigil/config/agent_settings.hpp"
#include "vigil/config/heartbeat_settings.hpp"
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
