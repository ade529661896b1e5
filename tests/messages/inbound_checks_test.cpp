// What a peer may send as text: names and free text are well-formed UTF-8, because they
// end up in event JSON, whose readers refuse a whole line for one bad byte.
#include "vigil/messages/inbound_checks.hpp"

#include <gtest/gtest.h>

#include <caf/error.hpp>

#include "vigil/messages/agent_messages.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;

namespace {

bool refused(const std::string& name) {
  return static_cast<bool>(check_name("registration id", name));
}

transition_report report_with_reason(std::string reason) {
  transition_report x;
  x.id = "a1";
  x.from = agent_state::idle;
  x.to = agent_state::busy;
  x.reason = std::move(reason);
  return x;
}

} // namespace

TEST(InboundChecks, NamesInUtf8AreTaken) {
  EXPECT_FALSE(refused("agent-1"));
  EXPECT_FALSE(refused("caf\xc3\xa9"));      // é: two bytes
  EXPECT_FALSE(refused("\xe2\x82\xac"));     // €: three bytes
  EXPECT_FALSE(refused("\xf0\x9f\x98\x80")); // U+1F600: four bytes
  EXPECT_FALSE(refused("\xf4\x8f\xbf\xbf")); // U+10FFFF, the last one
  EXPECT_FALSE(refused("\xed\x9f\xbf"));     // U+D7FF, below the surrogates
}

TEST(InboundChecks, NamesThatAreNotUtf8AreRefusedWithTheByteAndWhere) {
  for (std::string bad :
       {"\xff", "a\x80", "caf\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82", "\xe2\x28\xa1"})
    EXPECT_TRUE(refused(bad)) << "accepted " << bad.size() << " bytes";
  auto err = check_name("registration id", "ok\xff");
  ASSERT_TRUE(err);
  EXPECT_EQ(err.code(), static_cast<uint8_t>(errc::bad_input));
  auto text = to_string(err);
  EXPECT_NE(text.find("UTF-8"), std::string::npos) << text;
  EXPECT_NE(text.find("byte 255 at offset 2"), std::string::npos) << text;
}

TEST(InboundChecks, FreeTextMustBeUtf8Too) {
  EXPECT_FALSE(check_inbound(report_with_reason("quota: 5 \xe2\x82\xac left")));
  auto err = check_inbound(report_with_reason("bad \xc0\xaf"));
  ASSERT_TRUE(err);
  EXPECT_NE(to_string(err).find("transition_report reason"), std::string::npos)
      << to_string(err);
}

// A page of agents (issue 22): 1 to max_page_size agents, a state in range, names as
// names.
TEST(InboundChecks, AnAgentQueryHasAPageSizeFromOneToTheBound) {
  vigil::agent_query q;
  q.page_size = 1;
  EXPECT_FALSE(vigil::check_inbound(q));
  q.page_size = vigil::max_page_size;
  EXPECT_FALSE(vigil::check_inbound(q));
  q.page_size = vigil::max_page_size + 1;
  EXPECT_EQ(vigil::code_of(vigil::check_inbound(q)), vigil::errc::bad_input);
  q.page_size = 0;
  EXPECT_EQ(vigil::code_of(vigil::check_inbound(q)), vigil::errc::bad_input);
  q.page_size = 50;
  q.state = static_cast<vigil::agent_state>(vigil::agent_state_count);
  EXPECT_EQ(vigil::code_of(vigil::check_inbound(q)), vigil::errc::bad_input);
  q.state = caf::none;
  q.id_contains = std::string(vigil::max_name_bytes + 1, 'x');
  EXPECT_EQ(vigil::code_of(vigil::check_inbound(q)), vigil::errc::bad_input);
  q.id_contains.clear();
  q.node = std::string(vigil::max_name_bytes, 'n');
  EXPECT_FALSE(vigil::check_inbound(q));
  q.node = std::string(vigil::max_name_bytes + 1, 'n');
  auto err = vigil::check_inbound(q);
  EXPECT_EQ(vigil::code_of(err), vigil::errc::bad_input);
  EXPECT_NE(to_string(err).find("agent_query node"), std::string::npos)
      << to_string(err);
}
