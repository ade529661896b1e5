#include "vigil/messages/agent_state.hpp"

#include <set>
#include <string>
#include <utility>

#include <caf/error.hpp>
#include <caf/message.hpp>
#include <gtest/gtest.h>

#include "vigil/messages/errc.hpp"

using namespace vigil;

namespace {

// DESIGN §2 written out pair by pair, independently of the table in the library.
const std::set<std::pair<std::string, std::string>> allowed_pairs = {
    {"spawning", "idle"},     {"spawning", "completed"},  {"spawning", "failed"},
    {"spawning", "killed"},   {"idle", "busy"},           {"idle", "on_call"},
    {"idle", "exhausted"},    {"idle", "offline"},        {"idle", "completed"},
    {"idle", "failed"},       {"idle", "killed"},         {"busy", "idle"},
    {"busy", "exhausted"},    {"busy", "offline"},        {"busy", "completed"},
    {"busy", "failed"},       {"busy", "killed"},         {"on_call", "idle"},
    {"on_call", "exhausted"}, {"on_call", "offline"},     {"on_call", "completed"},
    {"on_call", "failed"},    {"on_call", "killed"},      {"exhausted", "idle"},
    {"exhausted", "offline"}, {"exhausted", "completed"}, {"exhausted", "failed"},
    {"exhausted", "killed"},  {"offline", "idle"},        {"offline", "busy"},
    {"offline", "on_call"},   {"offline", "exhausted"},   {"offline", "completed"},
    {"offline", "failed"},    {"offline", "killed"},
};

} // namespace

TEST(AgentState, NamesRoundTripForAllNineStates) {
  ASSERT_EQ(all_agent_states().size(), 9u);
  std::set<std::string> names;
  for (auto x : all_agent_states()) {
    auto name = to_string(x);
    names.insert(name);
    agent_state back = agent_state::killed;
    ASSERT_TRUE(from_string(name, back)) << name;
    EXPECT_EQ(back, x);
  }
  EXPECT_EQ(names,
            (std::set<std::string>{"spawning", "idle", "busy", "on_call", "exhausted",
                                   "offline", "completed", "failed", "killed"}));
  agent_state x = agent_state::idle;
  EXPECT_FALSE(from_string("Idle", x));
  EXPECT_FALSE(from_string("", x));
  EXPECT_EQ(x, agent_state::idle);
}

TEST(AgentState, PhasesMatchTheDesign) {
  EXPECT_EQ(phase_of(agent_state::spawning), agent_phase::starting);
  for (auto x : {agent_state::idle, agent_state::busy, agent_state::on_call,
                 agent_state::exhausted, agent_state::offline})
    EXPECT_EQ(phase_of(x), agent_phase::running) << to_string(x);
  for (auto x : {agent_state::completed, agent_state::failed, agent_state::killed}) {
    EXPECT_EQ(phase_of(x), agent_phase::terminal) << to_string(x);
    EXPECT_TRUE(is_terminal(x));
  }
}

TEST(TransitionTable, AllEightyOnePairsMatchTheDesign) {
  int checked = 0;
  int allowed = 0;
  for (auto from : all_agent_states()) {
    for (auto to : all_agent_states()) {
      ++checked;
      bool expected = allowed_pairs.count({to_string(from), to_string(to)}) > 0;
      EXPECT_EQ(may_transition(from, to), expected)
          << to_string(from) << " -> " << to_string(to);
      auto err = check_transition("a1", from, to);
      EXPECT_EQ(static_cast<bool>(err), !expected)
          << to_string(from) << " -> " << to_string(to);
      if (expected)
        ++allowed;
    }
  }
  EXPECT_EQ(checked, 81);
  EXPECT_EQ(allowed, 35);
}

TEST(TransitionTable, TerminalStatesAreFinal) {
  for (auto from : {agent_state::completed, agent_state::failed, agent_state::killed})
    EXPECT_TRUE(allowed_targets(from).empty()) << to_string(from);
}

TEST(TransitionTable, RefusalNamesAgentCurrentStateAndAllowedTargets) {
  auto err = check_transition("coder-7", agent_state::busy, agent_state::spawning);
  ASSERT_TRUE(err);
  EXPECT_EQ(code_of(err), errc::invalid_transition);
  EXPECT_EQ(describe(code_of(err), err.context()),
            "agent \"coder-7\" cannot go from busy to spawning (allowed from busy: "
            "idle, exhausted, offline, completed, failed, killed)");
}

TEST(TransitionTable, RefusalFromTerminalSaysSo) {
  auto err = check_transition("a2", agent_state::killed, agent_state::idle);
  EXPECT_EQ(describe(code_of(err), err.context()),
            "agent \"a2\" cannot go from killed to idle (allowed from killed: none, "
            "killed is terminal)");
}

TEST(TransitionTable, RefusalForEveryForbiddenPairNamesAllowedTargets) {
  for (auto from : all_agent_states()) {
    std::string allowed;
    for (auto to : allowed_targets(from))
      allowed += (allowed.empty() ? "" : ", ") + to_string(to);
    for (auto to : all_agent_states()) {
      if (may_transition(from, to))
        continue;
      auto text =
          describe(errc::invalid_transition, check_transition("x", from, to).context());
      EXPECT_NE(text.find("from " + to_string(from) + " to " + to_string(to)),
                std::string::npos)
          << text;
      if (!allowed.empty()) {
        EXPECT_NE(text.find(allowed), std::string::npos) << text;
      }
    }
  }
}
