#include "vigil/messages/event_json.hpp"

#include <chrono>
#include <fstream>
#include <limits>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

constexpr auto u64_max = std::numeric_limits<uint64_t>::max();
constexpr auto i64_min = std::numeric_limits<int64_t>::min();
constexpr auto i64_max = std::numeric_limits<int64_t>::max();

// An origin like `unix_origin`'s: the Unix epoch, decades before the clock's own.
const auto unix_like = time_point{} - 1'795'000'000s;

std::vector<event_kind> all_kinds() {
  std::vector<event_kind> xs;
  event_kind k{};
  for (unsigned i = 0; from_string(to_string(static_cast<event_kind>(i)), k); ++i)
    xs.push_back(k);
  return xs;
}

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

// Both ways of decoding (line and value), each checked against the original.
void expect_round_trip(const event& e, time_point origin) {
  auto line = event_line(e, origin);
  event_json_problem why;
  auto back = parse_event_line(line, origin, why);
  ASSERT_TRUE(back) << to_string(why) << "\n" << line;
  EXPECT_EQ(*back, e) << line;
  auto again = event_from_json(event_to_json(e, origin), origin, why);
  ASSERT_TRUE(again) << to_string(why);
  EXPECT_EQ(*again, e);
  EXPECT_EQ(event_line(*back, origin), line); // and the text is stable
}

std::string problem_of(const boost::json::value& v, time_point origin = {}) {
  event_json_problem why;
  if (event_from_json(v, origin, why))
    return "decoded";
  return to_string(why);
}

// The exhausted event's object with `key` set to `x` (or erased for null).
boost::json::object with(std::string_view key, boost::json::value x,
                         event e = exhausted_event()) {
  auto o = event_to_json(e, time_point{});
  if (x.is_null())
    o.erase(key);
  else
    o[key] = std::move(x);
  return o;
}

} // namespace

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

TEST(EventJson, DecodingNamesTheFieldWhatWasExpectedAndWhatWasFound) {
  using boost::json::value;
  auto beat = exhausted_event();
  beat.kind = event_kind::heartbeat_missed;
  beat.recovery_at = caf::none;
  auto watch = beat;
  watch.kind = event_kind::progress;
  auto restart = beat;
  restart.kind = event_kind::restart_scheduled;
  restart.delay = 2s;
  restart.due = restart.at + 2s;
  const std::string any_i64 =
      "an integer from -9223372036854775808 to 9223372036854775807";
  std::pair<boost::json::value, std::string> cases[] = {
      {value(boost::json::array{1}), "event JSON: expected an event object, found [1]"},
      {with("missed", 1),
       "event JSON: expected only the keys schema, seq, t, kind, agent, type, node, "
       "from, to, reason, version, count, recovery_at, error, waited, details, "
       "attempt, restarts, delay, due, at_ns, recovery_at_ns, waited_ns, delay_ns, "
       "due_ns, found unknown key \"missed\""},
      {with("schema", nullptr), "event /schema: expected an integer from 1 to 1, found "
                                "nothing"},
      {with("schema", 2), "event /schema: expected an integer from 1 to 1, found 2"},
      {with("seq", nullptr),
       "event /seq: expected an integer from 0 to 18446744073709551615, found nothing"},
      {with("seq", -1),
       "event /seq: expected an integer from 0 to 18446744073709551615, found -1"},
      {with("seq", 1.0),
       "event /seq: expected an integer from 0 to 18446744073709551615, found 1E0"},
      {with("kind", "explosion"),
       "event /kind: expected transition, heartbeat_missed, watchdog, entered, "
       "progress, suspected_frozen, exited, hard_stop, registered, purged, "
       "restart_scheduled or restart_gave_up, found \"explosion\""},
      {with("agent", 7), "event /agent: expected a string, found 7"},
      {with("from", nullptr), "event /from: expected a string, found nothing"},
      {with("version", "7"),
       "event /version: expected an integer from 0 to 18446744073709551615, found "
       "\"7\""},
      {with("at_ns", u64_max),
       "event /at_ns: expected " + any_i64 + ", found 18446744073709551615"},
      {with("t", 18000.5),
       "event /t: expected 18000.000 (at_ns in seconds, to the millisecond), found "
       "1.80005E4"},
      {with("t", "18000.000"),
       "event /t: expected 18000.000 (at_ns in seconds, to the millisecond), found "
       "\"18000.000\""},
      {with("recovery_at_ns", nullptr),
       "event /recovery_at_ns: expected nanoseconds beside recovery_at, found nothing"},
      {with("recovery_at", nullptr),
       "event /recovery_at: expected seconds beside recovery_at_ns, found nothing"},
      {with("recovery_at", 1.0),
       "event /recovery_at: expected 36000.000 (recovery_at_ns in seconds, to the "
       "millisecond), found 1E0"},
      {with("count", 0),
       "event /count: expected an integer from 1 to 4294967295 (transition events "
       "have it only when not 0), found 0"},
      {with("error", ""), "event /error: expected a string (transition events have it "
                          "only when not empty), found \"\""},
      {with("details", ""), "event /details: expected a string (transition events "
                            "have it only when not empty), found \"\""},
      {with("count", nullptr, beat),
       "event /count: expected an integer from 0 to 4294967295, found nothing"},
      {with("count", 4294967296, beat),
       "event /count: expected an integer from 0 to 4294967295, found 4294967296"},
      {with("waited_ns", nullptr, watch),
       "event /waited_ns: expected nanoseconds beside waited, found nothing"},
      {[&] {
         auto o = with("waited", nullptr, watch);
         o.erase("waited_ns");
         return o;
       }(),
       "event /waited: expected seconds (progress events always have waited), found "
       "nothing"},
      {with("details", nullptr, watch), "event /details: expected a string, found "
                                        "nothing"},
      {with("kind", boost::json::string(200, 'x')),
       "event /kind: expected transition, heartbeat_missed, watchdog, entered, "
       "progress, suspected_frozen, exited, hard_stop, registered, purged, "
       "restart_scheduled or restart_gave_up, found \"" +
           std::string(76, 'x') + "..."},
      {with("attempt", 0),
       "event /attempt: expected an integer from 1 to 4294967295 (transition events "
       "have it only when not 0), found 0"},
      {with("restarts", 4294967296, restart),
       "event /restarts: expected an integer from 0 to 4294967295, found 4294967296"},
      {with("attempt", nullptr, restart),
       "event /attempt: expected an integer from 0 to 4294967295, found nothing"},
      {[&] {
         auto o = with("delay", nullptr, restart);
         o.erase("delay_ns");
         return o;
       }(),
       "event /delay: expected seconds (restart_scheduled events always have delay), "
       "found nothing"},
      {with("due_ns", nullptr, restart),
       "event /due_ns: expected nanoseconds beside due, found nothing"},
      {with("due", 1.0, restart),
       "event /due: expected 18002.000 (due_ns in seconds, to the millisecond), found "
       "1E0"},
      {with("details", nullptr, restart), "event /details: expected a string, found "
                                          "nothing"},
  };
  for (auto& [v, message] : cases)
    EXPECT_EQ(problem_of(v), message) << v;
  auto transition = event_to_json(exhausted_event(), time_point{});
  transition["waited"] = 0.0;
  transition["waited_ns"] = 0;
  EXPECT_EQ(problem_of(transition),
            "event /waited_ns: expected an integer other than 0 (transition events "
            "have it only when not 0), found 0");
  transition = event_to_json(exhausted_event(), time_point{});
  transition["delay"] = 0.0;
  transition["delay_ns"] = 0;
  EXPECT_EQ(problem_of(transition),
            "event /delay_ns: expected an integer other than 0 (transition events "
            "have it only when not 0), found 0");
}

TEST(EventJson, LinesThatAreNotJsonAreRefused) {
  event_json_problem why;
  EXPECT_FALSE(parse_event_line(R"({"seq":1,)", time_point{}, why));
  EXPECT_EQ(why.pointer, "");
  EXPECT_EQ(why.expected, "one JSON object");
  EXPECT_EQ(why.found.rfind("invalid JSON (", 0), 0u) << why.found;
  EXPECT_FALSE(parse_event_line("", time_point{}, why));
}

// docs/event.schema.json names what the code's tables hold: no more, no less.
TEST(EventJson, TheSchemaFileListsTheCodesKindsAndStates) {
  std::ifstream in{VIGIL_EVENT_SCHEMA};
  ASSERT_TRUE(in) << VIGIL_EVENT_SCHEMA;
  std::stringstream text;
  text << in.rdbuf();
  auto schema = boost::json::parse(text.str());
  auto& props = schema.at("properties").as_object();
  auto strings = [&](const char* key) {
    std::vector<std::string> xs;
    for (auto& x : props.at(key).at("enum").as_array())
      xs.emplace_back(x.as_string());
    return xs;
  };
  std::vector<std::string> kinds, states;
  for (auto k : all_kinds())
    kinds.push_back(to_string(k));
  for (auto s : all_agent_states())
    states.push_back(to_string(s));
  EXPECT_EQ(strings("kind"), kinds);
  EXPECT_EQ(strings("from"), states);
  EXPECT_EQ(strings("to"), states);
  EXPECT_EQ(props.at("schema").at("const"), event_schema_version);
  auto line = boost::json::parse(event_line(exhausted_event(), unix_like));
  for (auto& [key, value] : line.as_object()) {
    (void)value;
    EXPECT_TRUE(props.contains(key)) << key;
  }
  EXPECT_EQ(schema.at("additionalProperties"), false);
}
