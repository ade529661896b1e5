// The scenario loader's messages, glob matching, and the runner's verdicts.
#include "scenario.hpp"

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "report.hpp"
#include "runner.hpp"

using namespace vigil;
using namespace vigil::sim;
using namespace std::chrono_literals;

namespace {

std::string problem_of(const std::string& text) {
  config_problem why;
  settings base;
  auto x = read_scenario(text, "s.json", base, why);
  EXPECT_FALSE(x) << text;
  return to_string(why);
}

scenario load(const std::string& text) {
  config_problem why;
  settings base;
  auto x = read_scenario(text, "s.json", base, why);
  EXPECT_TRUE(x) << to_string(why);
  return x ? *x : scenario{};
}

const char* agents = R"("agents": [{"id": "a1"}, {"id": "fleet", "count": 12}])";

std::string with(const std::string& rest) {
  return std::string{"{"} + agents + ", " + rest + "}";
}

} // namespace

TEST(Glob, StarAndQuestionMark) {
  EXPECT_TRUE(glob_match("fleet-1*", "fleet-1"));
  EXPECT_TRUE(glob_match("fleet-1*", "fleet-10"));
  EXPECT_TRUE(glob_match("fleet-1*", "fleet-100"));
  EXPECT_FALSE(glob_match("fleet-1*", "fleet-2"));
  EXPECT_TRUE(glob_match("fleet-?", "fleet-7"));
  EXPECT_FALSE(glob_match("fleet-?", "fleet-10"));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYY"));
  // fnmatch(3) without its escapes: a backslash is itself, as before.
  EXPECT_TRUE(glob_match("a\\b*", "a\\bc"));
  EXPECT_FALSE(glob_match("a\\b*", "abc"));
  EXPECT_TRUE(glob_match("*", ".hidden/x")); // no path or dot rules
}

TEST(ScenarioLoader, ExpandsCountsAndSortsTheTimelineStably) {
  auto s = load(with(R"("timeline": [
      {"at": "5s", "agent": "fleet-1*", "do": "spawn"},
      {"at": "0s", "agent": "a1", "do": "spawn"},
      {"at": "5s", "agent": "a1", "do": "slot", "kind": "on_call", "for": "1m"}],
    "until": "1h")"));
  ASSERT_EQ(s.agents.size(), 13u);
  EXPECT_EQ(s.agents[1].id, "fleet-1");
  EXPECT_EQ(s.agents[12].id, "fleet-12");
  EXPECT_EQ(s.agents[0].type, "default");
  EXPECT_EQ(s.agents[0].node, "local");
  ASSERT_EQ(s.timeline.size(), 3u);
  EXPECT_EQ(s.timeline[0].kind, action_kind::spawn);
  EXPECT_EQ(s.timeline[0].agents, (std::vector<size_t>{0}));
  EXPECT_EQ(s.timeline[1].agents,
            (std::vector<size_t>{1, 10, 11, 12})); // fleet-1, -10..-12
  EXPECT_EQ(s.timeline[2].slot, slot_kind::on_call);
  EXPECT_EQ(s.until, duration{1h});
}

TEST(ScenarioLoader, SettingsOverrideTheBaseAndNameTheirPointer) {
  auto s = load(with(R"("settings": {"heartbeat": {"timeout": "1m"}}, "until": "1h")"));
  EXPECT_EQ(s.config.supervisor.heartbeat.timeout, duration{1min});
  EXPECT_EQ(
      problem_of(
          with(R"("settings": {"heartbeat": {"timeout": "1 minute"}}, "until": "1h")")),
      R"(s.json: /settings/heartbeat/timeout: expected a positive duration such as "30s", found "1 minute")");
}

TEST(ScenarioLoader, ALongDigitStringDurationIsRefusedNotFatal) {
  auto zeros = std::string(400, '0');
  for (auto until : {"1" + zeros + "s", "0." + zeros + "1s"}) {
    auto message = problem_of(with(R"("until": ")" + until + "\""));
    EXPECT_EQ(
        message.rfind(
            R"(s.json: /until: expected a positive duration such as "30s", found )", 0),
        0u)
        << message;
  }
}

TEST(ScenarioLoader, EveryBadScenarioGetsOneExactMessage) {
  struct bad {
    std::string text;
    const char* message;
  };
  const bad cases[] = {
      {R"({"agents": [], "until": "1h", "extra": 1})",
       R"(s.json: /extra: expected one of the keys name, description, settings, agents, timeline, expect, until, seed, found unknown key "extra")"},
      {R"({"until": "1h"})",
       R"(s.json: /agents: expected an array of agents, found nothing)"},
      {with(R"("timeline": [])"),
       R"(s.json: /until: expected a duration such as "6h", found nothing)"},
      {R"({"agents": [{"id": "a*"}], "until": "1h"})",
       R"(s.json: /agents/0/id: expected a non-empty id without * or ?, found "a*")"},
      {R"({"agents": [{"id": "a"}, {"id": "a"}], "until": "1h"})",
       R"(s.json: /agents/1/id: expected ids used once, found "a" a second time)"},
      {R"({"agents": [{"id": "f", "count": 0}], "until": "1h"})",
       R"(s.json: /agents/0/count: expected an integer from 1 to 1000000, found 0)"},
      {with(
           R"("timeline": [{"at": "0s", "agent": "ghost", "do": "spawn"}], "until": "1h")"),
       R"(s.json: /timeline/0/agent: expected an id or glob matching an agent of /agents, found "ghost", which matches none)"},
      {with(
           R"("timeline": [{"at": "0s", "agent": "fleet-[12]", "do": "spawn"}], "until": "1h")"),
       R"(s.json: /timeline/0/agent: expected an agent id or a glob with * and ?, found "fleet-[12]")"},
      {with(
           R"("timeline": [{"at": "0s", "agent": "fleet-*\u0000x", "do": "spawn"}], "until": "1h")"),
       R"(s.json: /timeline/0/agent: expected an agent id or a glob with * and ?, found "fleet-*\u0000x")"},
      {with(
           R"("timeline": [{"at": "0s", "agent": "a1", "do": "slot"}], "until": "1h")"),
       R"(s.json: /timeline/0/agent: expected an agent spawned before 0s, found "a1", not spawned by then)"},
      {with(
           R"("timeline": [{"at": "0s", "agent": "a1", "do": "spawn"}, {"at": "1s", "agent": "a1", "do": "slot", "kind": "nap"}], "until": "1h")"),
       R"(s.json: /timeline/1/kind: expected work or on_call, found "nap")"},
      {with(
           R"("timeline": [{"at": "0s", "agent": "a1", "do": "spawn"}, {"at": "1s", "agent": "a1", "do": "quota", "reason": "tired"}], "until": "1h")"),
       R"(s.json: /timeline/1/reason: expected rate_limit or billing, found "tired")"},
      {with(
           R"("timeline": [{"at": "0s", "agent": "a1", "do": "spawn", "for": "1m"}], "until": "1h")"),
       R"(s.json: /timeline/0/for: expected one of the keys at, do, agent, found unknown key "for")"},
      {with(
           R"("timeline": [{"at": "soon", "agent": "a1", "do": "spawn"}], "until": "1h")"),
       R"(s.json: /timeline/0/at: expected a duration of 0s or more, such as "30s", found "soon")"},
      {with(
           R"("timeline": [{"at": "0s", "node": "mars", "do": "partition"}], "until": "1h")"),
       R"(s.json: /timeline/0/node: expected the node of an agent, found "mars")"},
      {with(
           R"("timeline": [{"at": "0s", "agent": "a1", "do": "spawn"}, {"at": "0s", "agent": "a1", "do": "spawn"}], "until": "1h")"),
       R"(s.json: /timeline/1/agent: expected agents spawned once, found "a1" spawned again)"},
      {with(R"("expect": [{"agent": "a1", "state": "idle"}], "until": "1h")"),
       R"(s.json: /expect/0/at: expected a duration such as "5s", found nothing)"},
      {with(
           R"("expect": [{"at": "1s", "agent": "a1", "state": "sleeping"}], "until": "1h")"),
       R"(s.json: /expect/0/state: expected a state name such as "idle", found "sleeping")"},
      {with(R"("expect": [{"agent": "a1", "event": "transition"}], "until": "1h")"),
       R"(s.json: /expect/0: expected exactly one of "at", "between", "count", found 0 of them)"},
      {with(
           R"("expect": [{"agent": "a1", "event": "transition", "between": ["5s", "1s"]}], "until": "1h")"),
       R"(s.json: /expect/0/between: expected [from, to] with from <= to, found ["5s","1s"])"},
      {with(
           R"("expect": [{"agent": "a1", "event": "explosion", "count": 1}], "until": "1h")"),
       R"(s.json: /expect/0/event: expected an event kind such as "transition", found "explosion")"},
      {with(
           R"("expect": [{"agent": "a1", "state": "idle", "states": []}], "until": "1h")"),
       R"(s.json: /expect/0: expected exactly one of "state", "states", "event", found 2 of them)"},
      {with(R"("expect": [{"agent": "nobody-*", "states": []}], "until": "1h")"),
       R"(s.json: /expect/0/agent: expected an id or glob matching an agent of /agents, found "nobody-*", which matches none)"},
      {"{\"agents\": [,]}", "s.json:1:13: invalid JSON: syntax error"},
      {with(
           R"("timeline": [{"at": "2h", "agent": "a1", "do": "spawn"}], "until": "1h")"),
       R"(s.json: /timeline/0/at: expected a time within the run, up to "until" (1h), found "2h")"},
      {with(
           R"("expect": [{"at": "61m", "agent": "a1", "state": "idle"}], "until": "1h")"),
       R"(s.json: /expect/0/at: expected a time within the run, up to "until" (1h), found "61m")"},
      {with(
           R"("expect": [{"agent": "a1", "event": "heartbeat_missed", "to": "idle", "count": 0}], "until": "1h")"),
       R"(s.json: /expect/0/to: expected no "to" except for "transition" events, found "idle")"},
      {with(
           R"("expect": [{"agent": "a1", "event": "watchdog", "reason": "no_output", "count": 0}], "until": "1h")"),
       R"(s.json: /expect/0/reason: expected session_ceiling_exceeded, no_output_deadline or children_persist_too_long, found "no_output")"},
  };
  for (auto& c : cases)
    EXPECT_EQ(problem_of(c.text), c.message) << c.text;
}

TEST(ScenarioRunner, JudgesEveryKindOfExpectation) {
  auto s = load(with(R"(
    "timeline": [
      {"at": "0s", "agent": "a1", "do": "spawn"},
      {"at": "10s", "agent": "a1", "do": "slot", "for": "20s"}],
    "expect": [
      {"at": "10s", "agent": "a1", "state": "busy"},
      {"at": "30s", "agent": "a1", "state": "busy"},
      {"agent": "a1", "states": ["spawning", "idle", "busy", "idle"]},
      {"agent": "a1", "event": "transition", "to": "idle", "reason": "finished", "at": "30s"},
      {"agent": "a1", "event": "transition", "to": "busy", "between": ["11s", "20s"]},
      {"agent": "a1", "event": "transition", "count": 3}],
    "until": "1m")"));
  auto r = run(s, {});
  ASSERT_EQ(r.verdicts.size(), 6u);
  std::vector<bool> passed;
  for (auto& v : r.verdicts)
    passed.push_back(v.passed);
  EXPECT_EQ(passed, (std::vector<bool>{true, false, true, true, false, true}));
  EXPECT_EQ(r.verdicts[1].message, "agent a1 at 30s: expected busy, found idle");
  EXPECT_EQ(r.verdicts[4].message,
            "agent a1: expected transition to busy between 11s and 20s, saw at 10s");
}

TEST(ScenarioRunner, EventsFileHasOneJsonObjectPerEventWithSeqAndSeconds) {
  auto s = load(with(R"(
    "timeline": [{"at": "0s", "agent": "a1", "do": "spawn"},
                 {"at": "1500ms", "agent": "a1", "do": "quota", "retry_after": "1m"}],
    "until": "2m")"));
  auto r = run(s, {});
  std::string path = ::testing::TempDir() + "vigil_sim_events.jsonl";
  std::string error;
  ASSERT_TRUE(write_events(path, r, error)) << error;
  std::ifstream in{path};
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  ASSERT_EQ(lines.size(), r.events.size());
  EXPECT_EQ(lines[2],
            R"({"schema":1,"seq":3,"t":1.500,"kind":"transition","agent":"a1",)"
            R"("type":"default","node":"local","from":"idle","to":"exhausted",)"
            R"("reason":"rate_limit","version":2,"recovery_at":61.500,)"
            R"("at_ns":1500000000,"recovery_at_ns":61500000000})");
}

TEST(ScenarioRunner, AgentsSpawnedBehindAPartitionAreCutOffToo) {
  auto s = load(R"({"agents": [{"id": "a1", "node": "n1"}],
    "timeline": [{"at": "0s", "node": "n1", "do": "partition"},
                 {"at": "1s", "agent": "a1", "do": "spawn"},
                 {"at": "5m", "node": "n1", "do": "heal"}],
    "expect": [{"at": "4m", "agent": "a1", "state": "idle"}],
    "until": "6m"})");
  auto r = run(s, {});
  ASSERT_EQ(r.verdicts.size(), 1u);
  EXPECT_FALSE(r.verdicts[0].passed); // it never reached the supervisor before the heal
  EXPECT_EQ(r.verdicts[0].message, "agent a1 at 4m: expected idle, found no record");
}
