// The scenario loader's limits: an oversized fleet or an entry naming too many agents
// is refused with the total, before anything it names is allocated.
#include "scenario.hpp"

#include <string>

#include <gtest/gtest.h>

using namespace vigil;
using namespace vigil::sim;

namespace {

std::optional<scenario> read(const std::string& text, std::string& message,
                             const scenario_limits& limits = {}) {
  config_problem why;
  auto x = read_scenario(text, "s.json", settings{}, why, limits);
  message = x ? "" : to_string(why);
  return x;
}

std::string problem_of(const std::string& text, const scenario_limits& limits = {}) {
  std::string message;
  EXPECT_FALSE(read(text, message, limits)) << text;
  return message;
}

void loads(const std::string& text, const scenario_limits& limits = {}) {
  std::string message;
  EXPECT_TRUE(read(text, message, limits)) << message;
}

// `n` entries `{"agent": "*", "states": ["idle"]}` over the agents `agents` declares.
std::string expecting_all(const std::string& agents, int n) {
  std::string expect;
  for (int i = 0; i < n; ++i)
    expect += std::string{i ? ", " : ""} + R"({"agent": "*", "states": ["idle"]})";
  return R"({"agents": )" + agents + R"(, "until": "1h", "expect": [)" + expect + "]}";
}

} // namespace

TEST(ScenarioLimits, ACountOverTheLimitIsRefusedByItself) {
  EXPECT_EQ(
      problem_of(R"({"agents": [{"id": "f", "count": 10000000}], "until": "1h"})"),
      "s.json: /agents/0/count: expected an integer from 1 to 1000000, found "
      "10000000");
}

TEST(ScenarioLimits, TheTotalIsRefusedBeforeAnyAgentIsMade) {
  // Twenty entries of a million each: 710 bytes once ended in std::bad_alloc.
  std::string agents;
  for (int i = 0; i < 20; ++i)
    agents += std::string{i ? ", " : ""} + R"({"id": "f)" + std::to_string(i) +
              R"(", "count": 1000000})";
  EXPECT_EQ(problem_of(R"({"agents": [)" + agents + R"(], "until": "1h"})"),
            "s.json: /agents: expected at most 1000000 agents in all, counts included, "
            "found 20000000");
}

TEST(ScenarioLimits, TheAgentLimitHoldsExactlyAtItsBound) {
  scenario_limits limits;
  limits.agents = 10;
  loads(R"({"agents": [{"id": "a"}, {"id": "f", "count": 9}], "until": "1h"})", limits);
  EXPECT_EQ(
      problem_of(
          R"({"agents": [{"id": "a"}, {"id": "f", "count": 10}], "until": "1h"})",
          limits),
      "s.json: /agents: expected at most 10 agents in all, counts included, found 11");
}

TEST(ScenarioLimits, EntriesMayNameAtMostTheExpansionLimitTogether) {
  scenario_limits limits;
  limits.expansion = 7;
  auto agents = R"([{"id": "a"}, {"id": "f", "count": 2}])"; // 3 agents
  auto two_globs_and_one = expecting_all(agents, 2);
  two_globs_and_one.insert(two_globs_and_one.size() - 2,
                           R"(, {"agent": "a", "states": ["idle"]})");
  loads(two_globs_and_one, limits); // 3 + 3 + 1 = 7
  EXPECT_EQ(problem_of(expecting_all(agents, 3), limits),
            "s.json: /expect/2/agent: expected at most 7 agents named by all timeline "
            "and expect entries together, found 9 by this entry");
}

TEST(ScenarioLimits, GlobsMayExamineAtMostTheScanLimitOfIds) {
  scenario_limits limits;
  limits.glob_scan = 6;
  auto agents = R"([{"id": "a"}, {"id": "f", "count": 2}])";
  loads(expecting_all(agents, 2), limits);
  EXPECT_EQ(problem_of(expecting_all(agents, 3), limits),
            "s.json: /expect/2/agent: expected globs over at most 6 agent ids in all "
            "(entries with a glob x agents), found 9 by this entry");
}

TEST(ScenarioLimits, NamesTheSupervisorWouldRefuseAreRefusedByPointer) {
  auto id = std::string(256, 'x');
  loads(R"({"agents": [{"id": ")" + id + R"("}], "until": "1h"})");
  EXPECT_EQ(problem_of(R"({"agents": [{"id": ")" + id + R"(y"}], "until": "1h"})")
                .rfind("s.json: /agents/0/id: expected a name of at most 256 bytes "
                       "without control characters, found \"xxx",
                       0),
            0u);
  // With a count, the longest suffix ("-1000") counts too.
  auto stem = std::string(251, 'x');
  loads(R"({"agents": [{"id": ")" + stem + R"(", "count": 1000}], "until": "1h"})");
  EXPECT_EQ(problem_of(R"({"agents": [{"id": ")" + stem +
                       R"(", "count": 10000}], "until": "1h"})")
                .rfind("s.json: /agents/0/id: expected a name of at most 250 bytes", 0),
            0u);
  EXPECT_EQ(
      problem_of(R"({"agents": [{"id": "a", "node": "n\u0001"}], "until": "1h"})"),
      R"(s.json: /agents/0/node: expected a name of at most 256 bytes without control characters, found "n\u0001")");
}
