#include "vigil/messages/event_json.hpp"

#include <chrono>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

event exhausted_event() {
  event e;
  e.seq = 42;
  e.kind = event_kind::transition;
  e.agent = "coder-3";
  e.type = "coder";
  e.node = "n1";
  e.from = agent_state::busy;
  e.to = agent_state::exhausted;
  e.reason = "rate_limit";
  e.at = time_point{} + 5h + 1ns;
  e.version = 7;
  e.recovery_at = time_point{} + 10h + 3ns;
  return e;
}

} // namespace

TEST(EventJson, TransitionRoundTripsExactly) {
  auto e = exhausted_event();
  auto text = boost::json::serialize(boost::json::value_from(e));
  auto back = boost::json::value_to<event>(boost::json::parse(text));
  EXPECT_EQ(back, e) << text;
}

TEST(EventJson, HeartbeatMissedRoundTripsWithoutRecovery) {
  event e;
  e.seq = 1;
  e.kind = event_kind::heartbeat_missed;
  e.agent = "w-1";
  e.from = e.to = agent_state::idle;
  e.missed = 2;
  e.error = "quote \" and newline \n";
  auto back = boost::json::value_to<event>(boost::json::value_from(e));
  EXPECT_EQ(back, e);
  EXPECT_FALSE(back.recovery_at);
}

TEST(EventJson, UsesReadableNames) {
  auto v = boost::json::value_from(exhausted_event());
  auto& obj = v.as_object();
  EXPECT_EQ(obj.at("kind").as_string(), "transition");
  EXPECT_EQ(obj.at("from").as_string(), "busy");
  EXPECT_EQ(obj.at("to").as_string(), "exhausted");
  EXPECT_EQ(obj.at("seq").to_number<uint64_t>(), 42u);
}

TEST(EventJson, DecodingNamesTheBadKey) {
  auto v = boost::json::value_from(exhausted_event());
  v.as_object()["to"] = "sleeping";
  try {
    boost::json::value_to<event>(v);
    FAIL() << "decoded an unknown state";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "event JSON: \"to\" has unknown value \"sleeping\"");
  }
  v.as_object().erase("seq");
  EXPECT_THROW(boost::json::value_to<event>(v), std::invalid_argument);
}
