// Looking at a fleet a page at a time (issue 22): the supervisor filters by state,
// type, node and id, counts every match, and pages in a stable order; one agent's
// detail; the nodes with their agents. In virtual time, through the observer messages
// the dashboard's HTTP threads send.
#include <set>

#include "support/supervisor_fixture.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using s = agent_state;

namespace {

class FleetQueries : public vigil::test::supervisor_fixture {
public:
  FleetQueries() {
    start(supervisor_settings{});
    p = puppet();
    // a1..a12: coders and writers by turns, a1..a6 on n1, a7..a12 on n2; a1..a3 idle.
    for (int i = 1; i <= 12; ++i) {
      registration x;
      x.id = "a" + std::to_string(i);
      x.type = i % 2 == 1 ? "coder" : "writer";
      x.node = i <= 6 ? "n1" : "n2";
      send_registration(p, std::move(x));
    }
    for (int i = 1; i <= 3; ++i)
      report(p, "a" + std::to_string(i), s::spawning, s::idle);
  }

  agent_page page(agent_query q) {
    auto x = ask<agent_page>(sup, page_atom::value, std::move(q));
    EXPECT_TRUE(x) << sys.render(x.error());
    return x ? *x : agent_page{};
  }

  static std::set<std::string> ids(const agent_page& x) {
    std::set<std::string> out;
    for (auto& a : x.agents)
      out.insert(a.id);
    return out;
  }

  caf::actor p;
};

} // namespace

TEST_F(FleetQueries, EachFilterCountsEveryMatchAndTheyCombine) {
  agent_query q;
  EXPECT_EQ(page(q).total, 12u);
  q.type = "coder";
  EXPECT_EQ(ids(page(q)), (std::set<std::string>{"a1", "a3", "a5", "a7", "a9", "a11"}));
  q.node = "n2";
  EXPECT_EQ(ids(page(q)), (std::set<std::string>{"a7", "a9", "a11"}));
  q = {};
  q.node = "n1";
  EXPECT_EQ(page(q).total, 6u);
  q.state = s::idle;
  EXPECT_EQ(ids(page(q)), (std::set<std::string>{"a1", "a2", "a3"}));
  q = {};
  q.id_contains = "a1";
  EXPECT_EQ(ids(page(q)), (std::set<std::string>{"a1", "a10", "a11", "a12"}));
  q = {};
  q.node = "nowhere";
  auto none = page(q);
  EXPECT_EQ(none.total, 0u);
  EXPECT_TRUE(none.agents.empty());
  q = {};
  q.type = "Coder"; // exactly the type, not a spelling of it
  EXPECT_EQ(page(q).total, 0u);
}

TEST_F(FleetQueries, PagesAreDisjointCoverEveryMatchAndEndEmpty) {
  agent_query q;
  q.page_size = 5;
  std::set<std::string> seen;
  std::vector<size_t> sizes;
  for (q.page = 0; q.page < 4; ++q.page) {
    auto x = page(q);
    EXPECT_EQ(x.total, 12u);
    EXPECT_EQ(x.page, q.page);
    EXPECT_EQ(x.page_size, 5u);
    sizes.push_back(x.agents.size());
    for (auto& a : x.agents)
      EXPECT_TRUE(seen.insert(a.id).second) << a.id << " on two pages";
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{5, 5, 2, 0}));
  EXPECT_EQ(seen.size(), 12u);
  q.page = 0;
  EXPECT_EQ(ids(page(q)), ids(page(q))); // the same order while the fleet holds still
  q.page = UINT64_MAX; // far past the end: empty, not an overflow onto page 0
  auto far = page(q);
  EXPECT_EQ(far.total, 12u);
  EXPECT_TRUE(far.agents.empty());
}

TEST_F(FleetQueries, ABadQueryIsRefusedNamingWhatIsWrong) {
  agent_query q;
  q.page_size = max_page_size + 1;
  auto x = ask<agent_page>(sup, page_atom::value, q);
  ASSERT_FALSE(x);
  EXPECT_EQ(code_of(x.error()), errc::bad_input);
  EXPECT_NE(sys.render(x.error()).find("page_size"), std::string::npos)
      << sys.render(x.error());
}

TEST_F(FleetQueries, ADetailHoldsTheStatusAndTheRecentEventsNewestLast) {
  auto d = ask<agent_detail>(sup, detail_atom::value, std::string{"a2"});
  ASSERT_TRUE(d) << sys.render(d.error());
  EXPECT_EQ(d->status.id, "a2");
  EXPECT_EQ(d->status.state, s::idle);
  EXPECT_EQ(d->status.node, "n1");
  ASSERT_EQ(d->recent.size(), 2u); // registered, then spawning -> idle
  EXPECT_EQ(d->recent[0].kind, event_kind::registered);
  EXPECT_EQ(d->recent[1].kind, event_kind::transition);
  EXPECT_LT(d->recent[0].seq, d->recent[1].seq);
  auto unknown = ask<agent_detail>(sup, detail_atom::value, std::string{"nobody"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(code_of(unknown.error()), errc::unknown_agent);
}

TEST_F(FleetQueries, TheNodesCountTheirAgentsByState) {
  auto n = ask<std::vector<node_summary>>(sup, nodes_atom::value);
  ASSERT_TRUE(n) << sys.render(n.error());
  ASSERT_EQ(n->size(), 2u);
  EXPECT_EQ((*n)[0].node, "n1"); // by name
  EXPECT_EQ((*n)[0].agents.at(static_cast<size_t>(s::idle)), 3u);
  EXPECT_EQ((*n)[0].agents.at(static_cast<size_t>(s::spawning)), 3u);
  EXPECT_EQ((*n)[1].node, "n2");
  EXPECT_EQ((*n)[1].agents.at(static_cast<size_t>(s::spawning)), 6u);
}
