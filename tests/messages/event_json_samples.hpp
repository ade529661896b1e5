// Sample events and decoding helpers shared by the event JSON tests.
#pragma once

#include <chrono>
#include <limits>
#include <string>
#include <vector>

#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "vigil/messages/event_json.hpp"

namespace vigil::test {

using namespace std::chrono_literals;

inline constexpr auto u64_max = std::numeric_limits<uint64_t>::max();
inline constexpr auto i64_min = std::numeric_limits<int64_t>::min();
inline constexpr auto i64_max = std::numeric_limits<int64_t>::max();

// An origin like `unix_origin`'s: the Unix epoch, decades before the clock's own.
inline const auto unix_like = time_point{} - 1'795'000'000s;

inline std::vector<event_kind> all_kinds() {
  std::vector<event_kind> xs;
  event_kind k{};
  for (unsigned i = 0; from_string(to_string(static_cast<event_kind>(i)), k); ++i)
    xs.push_back(k);
  return xs;
}

inline event exhausted_event() {
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
inline void expect_round_trip(const event& e, time_point origin) {
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

inline std::string problem_of(const boost::json::value& v, time_point origin = {}) {
  event_json_problem why;
  if (event_from_json(v, origin, why))
    return "decoded";
  return to_string(why);
}

// The exhausted event's object with `key` set to `x` (or erased for null).
inline boost::json::object with(std::string_view key, boost::json::value x,
                                event e = exhausted_event()) {
  auto o = event_to_json(e, time_point{});
  if (x.is_null())
    o.erase(key);
  else
    o[key] = std::move(x);
  return o;
}

} // namespace vigil::test
