// `vigil-node agents` offers a spawner for its type on its node (DESIGN §12), again to
// each supervisor it connects to, and ends its agents in order on Ctrl-C.
#include <csignal>
#include <string>

#include "multi_process_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::eventually;
using vigil::test::MultiProcess;

namespace {

/// Lines of `text` that say the supervisor answered an offer (either way: before the
/// restart engine every offer is refused, after it this node's is accepted).
size_t answered_offers(const std::string& text) {
  size_t n = 0;
  for (auto at = text.find("spawner n1: the supervisor "); at != std::string::npos;
       at = text.find("spawner n1: the supervisor ", at + 1))
    ++n;
  return n;
}

} // namespace

TEST_F(MultiProcess, AnAgentsProcessOffersItsSpawnerAgainAfterTheSupervisorRestarts) {
  auto* s = &supervise();
  ASSERT_NE(port_, 0);
  auto& a = agents("n1", 3, "w");
  ASSERT_TRUE(until_in(agent_state::busy, 3, 20s)) << describe_last() << a.err();
  ASSERT_TRUE(eventually([&] { return answered_offers(a.err()) == 1; }, 10s))
      << a.err();
  s->signal(SIGKILL);
  ASSERT_EQ(s->wait(5s), -1);
  s = &supervise(port_); // the same port: the uplink reconnects
  ASSERT_TRUE(until_in(agent_state::busy, 3, 20s)) << describe_last() << a.err();
  EXPECT_TRUE(eventually([&] { return answered_offers(a.err()) == 2; }, 10s))
      << a.err();
  // Ctrl-C: the spawner stops first, then the agents end as node_shutdown.
  a.signal(SIGINT);
  EXPECT_EQ(a.wait(10s), 0) << a.err();
  ASSERT_TRUE(until_in(agent_state::killed, 3, 5s)) << describe_last();
  EXPECT_NE(a.err().find("spawner n1: stopping"), std::string::npos) << a.err();
  s->signal(SIGINT);
  EXPECT_EQ(s->wait(10s), 0) << s->err();
}
