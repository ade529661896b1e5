// Decoding event JSON: every problem names the field, what was expected and what was
// found; lines that are not JSON, and the schema file against the code.
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

#include "messages/event_json_samples.hpp"

using namespace vigil;
using namespace std::chrono_literals;

using namespace vigil::test;

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
