#include <set>
#include <string>

#include <gtest/gtest.h>

#include "vigil/messages/child_evidence.hpp"
#include "vigil/messages/event_kind.hpp"
#include "vigil/messages/quota_reason.hpp"
#include "vigil/messages/slot_kind.hpp"

using namespace vigil;

namespace {

// Walks the values 0, 1, ... until the first without a word: each has a distinct word
// that parses back; returns how many there are.
template <class Enum>
size_t check_round_trip(const char* type) {
  std::set<std::string> seen;
  for (size_t i = 0; i < 256; ++i) {
    auto x = static_cast<Enum>(i);
    auto text = to_string(x);
    if (text == std::string{type} + "(" + std::to_string(i) + ")")
      return i;
    EXPECT_TRUE(seen.insert(text).second) << text;
    Enum back{};
    EXPECT_TRUE(from_string(text, back)) << text;
    EXPECT_EQ(back, x) << text;
  }
  return 256;
}

} // namespace

TEST(Words, EveryValueHasADistinctWordThatParsesBack) {
  EXPECT_EQ(check_round_trip<event_kind>("event_kind"), 12u);
  EXPECT_EQ(check_round_trip<child_evidence>("child_evidence"), 4u);
  EXPECT_EQ(check_round_trip<slot_kind>("slot_kind"), 2u);
  EXPECT_EQ(check_round_trip<quota_reason>("quota_reason"), 2u);
}

TEST(Words, WordsAreTheOnesOnTheWire) {
  EXPECT_EQ(to_string(event_kind::heartbeat_missed), "heartbeat_missed");
  EXPECT_EQ(to_string(event_kind::restart_scheduled), "restart_scheduled");
  EXPECT_EQ(to_string(event_kind::restart_gave_up), "restart_gave_up");
  EXPECT_EQ(to_string(child_evidence::os_descendant_only_stale_progress),
            "os_descendant_only_stale_progress");
  EXPECT_EQ(to_string(slot_kind::on_call), "on_call");
  EXPECT_EQ(to_string(slot_outcome::queued), "queued");
  EXPECT_EQ(to_string(quota_reason::rate_limit), "rate_limit");
}

TEST(Words, UnknownWordsAndValuesAreSaidAsSuch) {
  auto x = event_kind::purged;
  EXPECT_FALSE(from_string("Transition", x));
  EXPECT_FALSE(from_string("", x));
  EXPECT_EQ(x, event_kind::purged); // unchanged
  EXPECT_EQ(to_string(static_cast<slot_outcome>(7)), "slot_outcome(7)");
}
