// `/metrics` from a scripted run in virtual time (DESIGN §13, issue 22): the values
// equal the supervisor's record, and the text is valid exposition (promtool).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>

#include "support/scratch_dir.hpp"
#include "support/supervisor_fixture.hpp"
#include "vigil/web/metrics_text.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class Metrics : public vigil::test::supervisor_fixture {
public:
  Metrics() {
    cfg.heartbeat.interval = 1s;
    cfg.heartbeat.timeout = 3s;
    cfg.heartbeat.max_missed = 1;
    start(cfg);
  }

  supervisor_settings cfg;
};

uint64_t agents_in(const fleet_metrics& m, const std::string& type, agent_state x) {
  for (auto& t : m.types)
    if (t.type == type)
      return t.agents.at(static_cast<size_t>(x));
  return 0;
}

uint64_t transitions(const fleet_metrics& m, agent_state from, agent_state to) {
  return m.transitions.at(static_cast<size_t>(from) * agent_state_count +
                          static_cast<size_t>(to));
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

/// `promtool check metrics` on `text`: empty when it passes, else what it said.
std::string promtool_problem(const std::string& text) {
  std::string tool = VIGIL_PROMTOOL;
  if (tool.empty())
    return "promtool not found: install Debian's prometheus (bash scripts/setup.sh)";
  vigil::test::scratch_dir dir;
  auto in = dir / "metrics.txt";
  auto out = dir / "promtool.txt";
  std::ofstream{in} << text;
  auto cmd = tool + " check metrics < " + in + " > " + out + " 2>&1";
  auto rc = std::system(cmd.c_str());
  std::ifstream said{out};
  std::string words{std::istreambuf_iterator<char>{said}, {}};
  return rc == 0 ? std::string{} : "promtool exit " + std::to_string(rc) + ": " + words;
}

} // namespace

TEST_F(Metrics, ValuesEqualTheRecordAfterAScriptedRunAndTheTextIsValid) {
  auto a1 = idle_agent("a1", "coder");
  auto a2 = idle_agent("a2", "coder");
  auto a3 = idle_agent("a3", "tester");
  report(a1, "a1", s::idle, s::busy);
  report(a2, "a2", s::idle, s::completed);
  advance(3s); // a1 and a3 never beat: offline exactly at their deadlines
  ASSERT_EQ(status("a1").state, s::offline);
  ASSERT_EQ(status("a3").state, s::offline);
  auto m = metrics();
  // Agents by state and type, as `status` has them.
  std::map<std::pair<std::string, agent_state>, uint64_t> expected;
  for (auto id : {"a1", "a2", "a3"}) {
    auto st = status(id);
    ++expected[{st.type, st.state}];
  }
  for (auto type : {"coder", "tester"})
    for (int i = 0; i < agent_state_count; ++i) {
      auto x = static_cast<agent_state>(i);
      auto want = expected[std::make_pair(std::string{type}, x)];
      EXPECT_EQ(agents_in(m, type, x), want) << type << " " << to_string(x);
    }
  EXPECT_EQ(transitions(m, s::spawning, s::idle), 3u);
  EXPECT_EQ(transitions(m, s::idle, s::busy), 1u);
  EXPECT_EQ(transitions(m, s::idle, s::completed), 1u);
  EXPECT_EQ(transitions(m, s::busy, s::offline), 1u);
  EXPECT_EQ(transitions(m, s::idle, s::offline), 1u);
  EXPECT_EQ(transitions(m, s::idle, s::failed), 0u);
  auto st = stats();
  EXPECT_EQ(m.stats.heartbeat_timeouts, 2u);
  EXPECT_EQ(m.stats.last_seq, st.last_seq);
  uint64_t events = 0;
  for (auto& [kind, n] : m.events_by_kind)
    events += n;
  EXPECT_EQ(events, st.last_seq); // every event of this start
  // Both verdicts came exactly at their deadlines: the first bucket (<= 1 ms).
  ASSERT_FALSE(m.detection_lateness.counts.empty());
  EXPECT_EQ(m.detection_lateness.counts[0], 2u);
  EXPECT_EQ(m.detection_lateness.sum, 0.0);
  EXPECT_EQ(m.nodes.at("up"), 1u);
  auto text = metrics_text(m);
  EXPECT_TRUE(has_line(text, "vigil_agents{state=\"offline\",type=\"coder\"} 1"))
      << text;
  EXPECT_TRUE(has_line(text, "vigil_agents{state=\"completed\",type=\"coder\"} 1"))
      << text;
  EXPECT_TRUE(has_line(text, "vigil_agents{state=\"busy\",type=\"coder\"} 0")) << text;
  EXPECT_TRUE(has_line(text, "vigil_agents{state=\"offline\",type=\"tester\"} 1"))
      << text;
  EXPECT_TRUE(
      has_line(text, "vigil_agent_transitions_total{from=\"busy\",to=\"offline\"} 1"))
      << text;
  EXPECT_TRUE(has_line(text, "vigil_heartbeat_timeouts_total 2")) << text;
  EXPECT_TRUE(has_line(text, "vigil_events_total " + std::to_string(events))) << text;
  EXPECT_TRUE(has_line(text, "vigil_event_seq " + std::to_string(st.last_seq))) << text;
  EXPECT_TRUE(has_line(text, "vigil_detection_lateness_seconds_count 2")) << text;
  EXPECT_TRUE(has_line(text, "vigil_nodes{state=\"up\"} 1")) << text;
  EXPECT_NE(text.find("vigil_build_info{version=\""), std::string::npos) << text;
  EXPECT_EQ(promtool_problem(text), "");
}

// Labels have bounded cardinality: agent types beyond `max_metric_types` share one.
TEST_F(Metrics, TypesPastTheBoundCountTogetherAsOther) {
  for (size_t i = 0; i < max_metric_types + 3; ++i)
    idle_agent("a" + std::to_string(i), "type-" + std::to_string(i));
  auto m = metrics();
  ASSERT_EQ(m.types.size(), max_metric_types + 1);
  EXPECT_EQ(m.types.back().type, ""); // the other types, last
  EXPECT_EQ(m.types.back().agents.at(static_cast<size_t>(s::idle)), 3u);
  uint64_t idle = 0;
  for (auto& t : m.types)
    idle += t.agents.at(static_cast<size_t>(s::idle));
  EXPECT_EQ(idle, max_metric_types + 3);
  auto text = metrics_text(m);
  EXPECT_TRUE(has_line(text, "vigil_agents{state=\"idle\",type=\"\"} 3")) << text;
  EXPECT_EQ(promtool_problem(text), "");
}

// A type counted with the other types stays there while it has records, even once a
// slot of its own is free again (its counts would otherwise drift between the two); a
// type new after the slot freed takes the slot.
TEST_F(Metrics, ATypeInTheOtherBucketStaysThereWhileItHasRecords) {
  cfg.retention = 1min;
  start(cfg);
  std::vector<caf::actor> keep; // puppets: their agents stay registered
  for (size_t i = 0; i < max_metric_types; ++i)
    keep.push_back(idle_agent("a" + std::to_string(i), "type-" + std::to_string(i)));
  keep.push_back(idle_agent("late-1", "late"));
  ASSERT_EQ(metrics().types.back().type, "");
  caf::anon_send(sup, kill_atom::value, std::string{"a0"});
  sched.run();
  advance(1min); // a0 purged: type-0 has no record left and is forgotten
  auto m = metrics();
  ASSERT_EQ(m.types.size(), max_metric_types); // 255 of their own and the others
  keep.push_back(idle_agent("late-2", "late"));
  keep.push_back(idle_agent("fresh-1", "fresh"));
  m = metrics();
  ASSERT_EQ(m.types.size(), max_metric_types + 1);
  EXPECT_EQ(m.types.back().type, "");
  auto records_in = [&](const std::string& type) {
    uint64_t n = 0;
    for (size_t i = 0; i < agent_state_count; ++i)
      n += agents_in(m, type, static_cast<agent_state>(i));
    return n;
  };
  EXPECT_EQ(records_in(""), 2u);                 // late-1 (offline by now) and late-2
  EXPECT_EQ(agents_in(m, "", s::idle), 1u);      // late-2
  EXPECT_EQ(agents_in(m, "fresh", s::idle), 1u); // the freed slot
  EXPECT_EQ(records_in("late"), 0u);             // never its own
  EXPECT_EQ(records_in("type-0"), 0u);
}
