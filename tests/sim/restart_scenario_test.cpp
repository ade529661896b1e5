// Restarts in scenarios (DESIGN §12): restart settings per type and the restart rate,
// the seed, expectations on the new event kinds, and counts over all of an id's lives.
#include "scenario.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "expectation_judge.hpp"

using namespace vigil;
using namespace vigil::sim;
using namespace std::chrono_literals;

namespace {

std::optional<scenario> read(const std::string& text, std::string& message) {
  config_problem why;
  auto x = read_scenario(text, "s.json", settings{}, why);
  message = x ? "" : to_string(why);
  return x;
}

std::string problem_of(const std::string& text) {
  std::string message;
  EXPECT_FALSE(read(text, message)) << text;
  return message;
}

scenario load(const std::string& text) {
  std::string message;
  auto x = read(text, message);
  EXPECT_TRUE(x) << message;
  return x ? *x : scenario{};
}

std::string with(const std::string& rest) {
  return R"({"agents": [{"id": "a1", "type": "coder"}, {"id": "b", "count": 2}],
             "timeline": [{"at": "0s", "agent": "*", "do": "spawn"}], )" +
         rest + ", \"until\": \"1h\"}";
}

} // namespace

TEST(RestartScenario, SettingsNamePerTypeRestartsAndTheRate) {
  auto s = load(with(R"("settings": {
      "restart": {"policy": "transient", "backoff": {"max": "1m"}},
      "restart_rate": {"per_second": 2, "burst": 2},
      "types": {"coder": {"restart": {"policy": "permanent",
                                      "backoff": {"min": "2s", "jitter": 0.0},
                                      "intensity": {"max": 3, "period": "1m"},
                                      "placement": "any"}}}})"));
  auto& sup = s.config.supervisor;
  auto coder = sup.restart_for("coder");
  EXPECT_EQ(coder.policy, restart_mode::permanent);
  EXPECT_EQ(coder.backoff.min, duration{2s});
  EXPECT_EQ(coder.backoff.max, duration{1min}); // the scenario's global
  EXPECT_EQ(coder.backoff.jitter, 0.0);
  EXPECT_EQ(coder.intensity, (std::optional<restart_intensity>{{3, 1min}}));
  EXPECT_EQ(coder.placement, restart_placement::any);
  EXPECT_EQ(sup.restart_for("default").policy, restart_mode::transient);
  ASSERT_TRUE(sup.restart_rate);
  EXPECT_EQ(sup.restart_rate->per_second, 2.0);
  EXPECT_EQ(sup.restart_rate->burst, 2u);
  EXPECT_FALSE(s.seed); // the runner picks a fixed one
  EXPECT_EQ(
      problem_of(with(
          R"("settings": {"types": {"coder": {"restart": {"backoff": {"jitter": 1}}}}})")),
      "s.json: /settings/types/coder/restart/backoff/jitter: expected a number in [0, "
      "1), such as 0.2, found 1");
}

TEST(RestartScenario, TheSeedIsANonNegativeInteger) {
  EXPECT_EQ(load(with(R"("seed": 42)")).seed, std::optional<uint64_t>{42});
  EXPECT_EQ(
      problem_of(with(R"("seed": -1)")),
      "s.json: /seed: expected an integer from 0 to 9223372036854775807, found -1");
  EXPECT_EQ(
      problem_of(with(R"("seed": "7")")),
      R"(s.json: /seed: expected an integer from 0 to 9223372036854775807, found "7")");
}

TEST(RestartScenario, ExpectationsNameTheRestartEventKinds) {
  auto s = load(with(R"("expect": [
      {"agent": "a1", "event": "restart_scheduled", "at": "10s"},
      {"agent": "b-*", "event": "restart_scheduled", "count": 0},
      {"agent": "a1", "event": "restart_gave_up", "reason": "intensity", "count": 1},
      {"agent": "a1", "event": "restart_gave_up", "reason": "no_spawner",
       "between": ["1m", "2m"]}])"));
  ASSERT_EQ(s.expectations.size(), 4u);
  EXPECT_EQ(s.expectations[0].event, event_kind::restart_scheduled);
  EXPECT_EQ(s.expectations[2].event, event_kind::restart_gave_up);
  EXPECT_EQ(s.expectations[2].reason, std::optional<std::string>{"intensity"});
  EXPECT_EQ(s.expectations[3].reason, std::optional<std::string>{"no_spawner"});
  EXPECT_EQ(
      problem_of(with(
          R"("expect": [{"agent": "a1", "event": "restart_gave_up", "reason": "tired", "count": 1}])")),
      R"(s.json: /expect/0/reason: expected intensity or no_spawner, found "tired")");
  EXPECT_EQ(
      problem_of(with(
          R"("expect": [{"agent": "a1", "event": "restart_scheduled", "reason": "crashed", "count": 1}])")),
      R"(s.json: /expect/0/reason: expected no "reason" except for "transition", "watchdog" and "restart_gave_up" events, found "crashed")");
}

TEST(RestartScenario, CountsAndTimesAddUpOverAllOfAnIdsLives) {
  auto s = load(with(R"("expect": [
      {"agent": "a1", "event": "registered", "count": 3},
      {"agent": "a1", "event": "registered", "at": "14s", "tolerance": "0s"},
      {"agent": "a1", "event": "restart_scheduled", "count": 2},
      {"agent": "a1", "states": ["spawning", "failed", "spawning", "failed", "spawning"]}])"));
  auto start = time_point{} + 1h;
  auto ev = [&](event_kind kind, duration at, agent_state to, uint64_t version) {
    event e;
    e.kind = kind;
    e.agent = "a1";
    e.at = start + at;
    e.to = to;
    e.version = version;
    return e;
  };
  // Three lives of one id: each registers, the first two fail and are restarted.
  std::vector<event> events{
      ev(event_kind::registered, 0s, agent_state::spawning, 1),
      ev(event_kind::transition, 10s, agent_state::failed, 2),
      ev(event_kind::restart_scheduled, 10s, agent_state::failed, 2),
      ev(event_kind::registered, 11s, agent_state::spawning, 3),
      ev(event_kind::transition, 12s, agent_state::failed, 4),
      ev(event_kind::restart_scheduled, 12s, agent_state::failed, 4),
      ev(event_kind::registered, 14s, agent_state::spawning, 5),
  };
  expectation_judge judge{s, start, 1.0, duration{0}};
  for (auto& e : s.expectations)
    EXPECT_TRUE(judge.on_history(e, events).passed)
        << e.pointer << ": " << judge.on_history(e, events).message;
  events.pop_back(); // the third life never came
  auto v = judge.on_history(s.expectations[0], events);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.message, "agent a1: expected 3 registered event(s), saw 2 (at 0s, 11s)");
}

TEST(RestartScenario, ANodeHostsAtMostTheTypesOneSpawnerMayOffer) {
  auto fleet = [](int types) {
    std::string agents;
    for (int i = 1; i <= types; ++i)
      agents += std::string{i > 1 ? ", " : ""} + R"({"id": "a)" + std::to_string(i) +
                R"(", "type": "t)" + std::to_string(i) + R"(", "node": "n1"})";
    return R"({"agents": [)" + agents + R"(, {"id": "other", "type": "t65"}],
               "until": "1h"})";
  };
  load(fleet(64)); // t65 on another node
  EXPECT_EQ(
      problem_of(fleet(65)),
      R"(s.json: /agents/64/type: expected at most 64 agent types per node, found type "t65", the 65th on node "n1")");
}
