// A node's reported lateness (DESIGN §14), over injected time.
#include "vigil/supervisors/node_lateness.hpp"

#include <chrono>

#include <gtest/gtest.h>

using namespace vigil;
using namespace std::chrono_literals;
using change = node_lateness::change;

namespace {

const auto t0 = time_point{} + 1h;

} // namespace

TEST(NodeLateness, EntersOverloadPastTheThresholdAndLeavesAtOrBelowIt) {
  node_lateness x;
  EXPECT_FALSE(x.overloaded());
  EXPECT_EQ(x.report(2s, 2s, t0), change::none); // exactly the threshold: on time
  EXPECT_EQ(x.report(2s + 1ns, 2s, t0 + 1s), change::entered);
  EXPECT_TRUE(x.overloaded());
  EXPECT_EQ(x.since(), t0 + 1s);
  EXPECT_EQ(x.report(5s, 2s, t0 + 2s), change::none);
  EXPECT_EQ(x.report(3s, 2s, t0 + 3s), change::none);
  EXPECT_EQ(x.worst(), 5s);
  EXPECT_EQ(x.lateness(), 3s);
  EXPECT_EQ(x.report(2s, 2s, t0 + 4s), change::left);
  EXPECT_FALSE(x.overloaded());
  EXPECT_EQ(x.worst(), 5s); // still there for the line that says it left
}

TEST(NodeLateness, DefersByExactlyTheLatenessNeverPastTheCap) {
  node_lateness x;
  EXPECT_EQ(x.deferral(t0, 30s), 0s); // never reported
  x.report(0s, 2s, t0);
  EXPECT_EQ(x.deferral(t0, 30s), 0s);
  x.report(1500ms, 2s, t0); // late, though not overloaded: it waits all the same
  EXPECT_FALSE(x.overloaded());
  EXPECT_EQ(x.deferral(t0, 30s), 1500ms);
  x.report(7s, 2s, t0);
  EXPECT_EQ(x.deferral(t0, 30s), 7s);
  x.report(45s, 2s, t0);
  EXPECT_EQ(x.deferral(t0, 30s), 30s);
  EXPECT_EQ(x.deferral(t0, 0s), 0s); // a zero cap: never wait
}

TEST(NodeLateness, AReportOlderThanTheCapNoLongerDefers) {
  node_lateness x;
  x.report(7s, 2s, t0);
  EXPECT_EQ(x.deferral(t0 + 30s, 30s), 7s);
  EXPECT_EQ(x.deferral(t0 + 30s + 1ns, 30s), 0s);
  EXPECT_TRUE(x.fresh(t0 + 30s, 30s));
  EXPECT_FALSE(x.fresh(t0 + 30s + 1ns, 30s));
}
