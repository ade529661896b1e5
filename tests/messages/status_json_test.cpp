// An agent's status as JSON (issue 22): every field, times exact to the nanosecond,
// optional times only when set.
#include "vigil/messages/status_json.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

TEST(StatusJson, EveryFieldWithTimesInSecondsAndExactNanoseconds) {
  agent_status x;
  x.id = "coder-1";
  x.type = "coder";
  x.node = "n1";
  x.state = agent_state::exhausted;
  x.version = 7;
  auto origin = time_point{} + 100s;
  x.registered_at = origin + 1500ms + 1ns;
  x.started_at = origin + 2s;
  x.last_beat = origin + 3s;
  x.seconds_since_beat = 0.25;
  x.missed = 1;
  x.healthy = false;
  x.recovery_at = origin + 60s;
  x.reason = "rate_limit";
  x.last_error = "quota \"x\"";
  x.restarts = 2;
  x.last_restart_reason = "crashed";
  auto o = status_to_json(x, origin);
  EXPECT_EQ(o.at("id"), "coder-1");
  EXPECT_EQ(o.at("state"), "exhausted");
  EXPECT_EQ(o.at("version").as_uint64(), 7u);
  EXPECT_EQ(o.at("registered_at").as_double(), 1.5);
  EXPECT_EQ(o.at("registered_at_ns").as_int64(), 1'500'000'001);
  EXPECT_EQ(o.at("started_at_ns").as_int64(), 2'000'000'000);
  EXPECT_EQ(o.at("recovery_at").as_double(), 60.0);
  EXPECT_EQ(o.at("last_error"), "quota \"x\"");
  EXPECT_EQ(o.at("restarts").as_uint64(), 2u);
  EXPECT_EQ(o.at("last_restart_reason"), "crashed");
  EXPECT_FALSE(o.contains("ended_at"));
  EXPECT_FALSE(o.contains("restart_due"));
  EXPECT_FALSE(o.contains("ended_at_ns"));
  // One line of JSON that parses back to the same object.
  auto line = status_line(x, origin);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto back = boost::json::parse(line).as_object();
  EXPECT_EQ(back.at("registered_at_ns"), o.at("registered_at_ns"));
  EXPECT_EQ(back.at("id"), o.at("id"));
  x.ended_at = origin + 5s;
  x.restart_due = origin + 6s;
  o = status_to_json(x, origin);
  EXPECT_EQ(o.at("ended_at_ns").as_int64(), 5'000'000'000);
  EXPECT_EQ(o.at("restart_due").as_double(), 6.0);
}
