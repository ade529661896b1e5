// Event JSON lines: exact times, every kind and field round-trips, extreme values.
#include "vigil/messages/event_json.hpp"

#include <chrono>
#include <limits>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <gtest/gtest.h>

#include "messages/event_json_samples.hpp"

using namespace vigil;
using namespace std::chrono_literals;

using namespace vigil::test;

TEST(EventJson, TransitionLineHasSecondsWithMillisecondDigitsAndExactNanoseconds) {
  auto e = exhausted_event();
  e.seq = 3;
  e.at = time_point{} + 1500ms;
  e.recovery_at = e.at + 60s;
  EXPECT_EQ(event_line(e, time_point{}),
            R"({"schema":1,"seq":3,"t":1.500,"kind":"transition","agent":"coder-3",)"
            R"("type":"coder","node":"n1","from":"busy","to":"exhausted",)"
            R"("reason":"rate_limit","version":7,"recovery_at":61.500,)"
            R"("at_ns":1500000000,"recovery_at_ns":61500000000})");
}

TEST(EventJson, SecondsRoundToTheNearestMillisecondHalfAwayFromZero) {
  auto e = exhausted_event();
  e.recovery_at = caf::none;
  auto t_of = [&](duration at) {
    e.at = time_point{} + at;
    return boost::json::serialize(
        boost::json::parse(event_line(e, time_point{})).at("t"));
  };
  auto text_of = [&](duration at) {
    e.at = time_point{} + at;
    auto line = event_line(e, time_point{});
    auto from = line.find("\"t\":") + 4;
    return line.substr(from, line.find(',', from) - from);
  };
  EXPECT_EQ(text_of(0ns), "0.000");
  EXPECT_EQ(text_of(1499999ns), "0.001");
  EXPECT_EQ(text_of(1500000ns), "0.002");
  EXPECT_EQ(text_of(-500000ns), "-0.001");
  EXPECT_EQ(text_of(-499999ns), "0.000");
  EXPECT_EQ(text_of(duration{i64_max}), "9223372036.855");
  EXPECT_EQ(text_of(duration{i64_min}), "-9223372036.855");
  EXPECT_EQ(t_of(61500ms), "6.15E1"); // the same number, as Boost prints it
}

TEST(EventJson, EveryKindRoundTripsWithAndWithoutEachOptionalField) {
  for (auto kind : all_kinds()) {
    for (int fields = 0; fields < 64; ++fields) {
      auto e = exhausted_event();
      e.kind = kind;
      e.recovery_at = caf::none;
      if (fields & 1)
        e.recovery_at = e.at + 30min;
      if (fields & 2)
        e.error = "exit code 3";
      if (fields & 4)
        e.missed = 2;
      if (fields & 8) {
        e.waited = 90s + 1ns;
        e.details = "2 children, stale label";
      }
      if (fields & 16) { // what a restart, or a restarted life's registration, has
        e.attempt = 2;
        e.restarts = 5;
        e.details = "crashed";
      }
      if (fields & 32) {
        e.delay = 2s + 1ns;
        e.due = e.at + 2s + 1ns;
      }
      SCOPED_TRACE(to_string(kind) + " fields " + std::to_string(fields));
      expect_round_trip(e, time_point{});
      expect_round_trip(e, unix_like);
    }
  }
}

TEST(EventJson, KindsCarryTheirDetailsEvenWhenZero) {
  auto e = exhausted_event();
  e.recovery_at = caf::none;
  e.kind = event_kind::heartbeat_missed;
  auto missed = event_to_json(e, time_point{});
  EXPECT_EQ(missed.at("count"), 0);
  EXPECT_FALSE(missed.contains("waited"));
  e.kind = event_kind::entered;
  auto entered = event_to_json(e, time_point{});
  EXPECT_EQ(entered.at("waited_ns"), 0);
  EXPECT_EQ(entered.at("details"), "");
  EXPECT_FALSE(entered.contains("count"));
  e.kind = event_kind::restart_scheduled;
  auto scheduled = event_to_json(e, time_point{});
  EXPECT_EQ(scheduled.at("attempt"), 0);
  EXPECT_EQ(scheduled.at("restarts"), 0);
  EXPECT_EQ(scheduled.at("details"), "");
  EXPECT_EQ(scheduled.at("delay_ns"), 0);
  EXPECT_FALSE(scheduled.contains("due")); // a time: only when set
  EXPECT_FALSE(scheduled.contains("waited"));
  e.kind = event_kind::restart_gave_up;
  auto gave_up = event_to_json(e, time_point{});
  EXPECT_EQ(gave_up.at("attempt"), 0);
  EXPECT_EQ(gave_up.at("restarts"), 0);
  EXPECT_EQ(gave_up.at("details"), "");
  EXPECT_FALSE(gave_up.contains("delay"));
  for (auto kind : {event_kind::transition, event_kind::registered}) {
    e.kind = kind;
    for (auto key : {"count", "waited", "waited_ns", "details", "error", "recovery_at",
                     "recovery_at_ns", "attempt", "restarts", "delay", "delay_ns",
                     "due", "due_ns"})
      EXPECT_FALSE(event_to_json(e, time_point{}).contains(key)) << key;
  }
}

TEST(EventJson, RestartScheduledLineHasAttemptDelayDueAndTheCause) {
  auto e = exhausted_event();
  e.seq = 9;
  e.kind = event_kind::restart_scheduled;
  e.from = e.to = agent_state::failed;
  e.reason = e.details = "crashed";
  e.recovery_at = caf::none;
  e.at = time_point{} + 1500ms;
  e.attempt = 2;
  e.restarts = 1;
  e.delay = 2s;
  e.due = e.at + 2s;
  EXPECT_EQ(event_line(e, time_point{}),
            R"({"schema":1,"seq":9,"t":1.500,"kind":"restart_scheduled",)"
            R"("agent":"coder-3","type":"coder","node":"n1","from":"failed",)"
            R"("to":"failed","reason":"crashed","version":7,"details":"crashed",)"
            R"("attempt":2,"restarts":1,"delay":2.000,"due":3.500,)"
            R"("at_ns":1500000000,"delay_ns":2000000000,"due_ns":3500000000})");
  expect_round_trip(e, unix_like);
  // The new life's registration: the same cause, attempt and the count with it.
  e.kind = event_kind::registered;
  e.from = e.to = agent_state::spawning;
  e.reason = "restarted";
  e.restarts = 2;
  e.delay = duration::zero();
  e.due = caf::none;
  auto v = event_to_json(e, time_point{});
  EXPECT_EQ(v.at("details"), "crashed");
  EXPECT_EQ(v.at("attempt"), 2);
  EXPECT_EQ(v.at("restarts"), 2);
  expect_round_trip(e, unix_like);
}

// operator== sees every field the codec carries.
TEST(EventJson, EventsDifferingInOneRestartFieldAreNotEqual) {
  auto e = exhausted_event();
  auto other = [&](auto change) {
    auto x = e;
    change(x);
    return x;
  };
  EXPECT_EQ(e, e);
  EXPECT_NE(e, other([](event& x) { x.attempt = 1; }));
  EXPECT_NE(e, other([](event& x) { x.restarts = 1; }));
  EXPECT_NE(e, other([](event& x) { x.delay = 1ns; }));
  EXPECT_NE(e, other([](event& x) { x.due = x.at; }));
  EXPECT_NE(other([](event& x) { x.due = x.at; }),
            other([](event& x) { x.due = x.at + 1ns; }));
}

TEST(EventJson, AgentChosenTextRoundTripsAndTouchesNoOtherField) {
  for (std::string text : std::vector<std::string>{
           "\x01recovery_at", "\x01waited", "\"\\u0001recovery_at\"",
           "quote \" back \\", "new\nline\r\ttab",
           "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\x9b",
           "}{\",:", std::string{"nul\0byte", 8}}) {
    auto e = exhausted_event();
    e.kind = event_kind::suspected_frozen;
    e.agent = e.type = e.node = e.reason = e.error = e.details = text;
    e.waited = 61500ms;
    SCOPED_TRACE(text);
    expect_round_trip(e, unix_like);
    auto v = boost::json::parse(event_line(e, time_point{}));
    EXPECT_EQ(v.at("reason").as_string(), text);
    EXPECT_EQ(v.at("waited").as_double(), 61.5);
    EXPECT_EQ(v.at("recovery_at").as_double(), 36000.0);
  }
}

TEST(EventJson, ExtremeCountersAndTimesRoundTrip) {
  auto e = exhausted_event();
  e.seq = e.version = u64_max;
  e.kind = event_kind::heartbeat_missed;
  e.missed = e.attempt = e.restarts = std::numeric_limits<uint32_t>::max();
  for (auto at : {i64_min, i64_min + 1, int64_t{-1}, int64_t{0}, i64_max}) {
    e.at = time_point{duration{at}};
    e.recovery_at = time_point{duration{i64_max - at / 2}};
    e.waited = e.delay = duration{at};
    e.due = time_point{duration{at / 3}};
    SCOPED_TRACE(at);
    expect_round_trip(e, time_point{});
  }
  auto v = event_to_json(e, time_point{});
  EXPECT_EQ(v.at("seq").as_uint64(), u64_max);
  EXPECT_EQ(v.at("version").as_uint64(), u64_max);
}

TEST(EventJson, TimesBeyondInt64FromTheOriginSaturate) {
  auto e = exhausted_event();
  e.at = time_point::max();
  EXPECT_EQ(event_to_json(e, unix_like).at("at_ns").as_int64(), i64_max);
  e.at = time_point::min();
  EXPECT_EQ(event_to_json(e, time_point{} + 1s).at("at_ns").as_int64(), i64_min);
}

TEST(EventJson, TimesTheClockCannotHoldFromTheOriginAreRefused) {
  auto e = exhausted_event();
  e.at = time_point::min();
  auto v = event_to_json(e, time_point{});
  EXPECT_EQ(problem_of(v, unix_like),
            "event /at_ns: expected a time the clock can hold from the origin, found "
            "-9223372036854775808 ns");
}

TEST(EventJson, BoostConversionsUseTheClocksEpochAndThrowTheProblem) {
  auto e = exhausted_event();
  auto v = boost::json::value_from(e);
  EXPECT_EQ(v.at("at_ns").as_int64(), (5h + 1ns).count());
  EXPECT_EQ(boost::json::value_to<event>(v), e);
  v.as_object()["to"] = "sleeping";
  try {
    boost::json::value_to<event>(v);
    FAIL() << "decoded an unknown state";
  } catch (const std::invalid_argument& x) {
    EXPECT_STREQ(x.what(), "event /to: expected spawning, idle, busy, on_call, "
                           "exhausted, offline, completed, failed or killed, found "
                           "\"sleeping\"");
  }
}
