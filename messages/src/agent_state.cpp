#include "vigil/messages/agent_state.hpp"

#include <iterator>

#include <caf/error.hpp>

#include "vigil/messages/detail/words.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil {

namespace {

using s = agent_state;

constexpr detail::word<agent_state> words[] = {
    {s::spawning, "spawning"},   {s::idle, "idle"},           {s::busy, "busy"},
    {s::on_call, "on_call"},     {s::exhausted, "exhausted"}, {s::offline, "offline"},
    {s::completed, "completed"}, {s::failed, "failed"},       {s::killed, "killed"},
};
static_assert(detail::in_enum_order(words) && std::size(words) == agent_state_count);

// DESIGN §2, as data. Row = from, column = to.
//
//   spawning --> idle <--> busy / on_call          any running --> offline
//      |          ^  \        |                    offline --> the state reported
//      |          |   +--> exhausted <-------------+ (idle, busy, on_call)
//      |          +-------- (recovery_at)
//      +--- spawning or any running --> completed / failed / killed (terminal)
//
// clang-format off
constexpr bool table[agent_state_count][agent_state_count] = {
  //             spawn  idle   busy   on_call exhaust offline compl  failed killed
  /* spawning */ {0,    1,     0,     0,      0,      0,      1,     1,     1},
  /* idle     */ {0,    0,     1,     1,      1,      1,      1,     1,     1},
  /* busy     */ {0,    1,     0,     0,      1,      1,      1,     1,     1},
  /* on_call  */ {0,    1,     0,     0,      1,      1,      1,     1,     1},
  /* exhausted*/ {0,    1,     0,     0,      0,      1,      1,     1,     1},
  /* offline  */ {0,    1,     1,     1,      1,      0,      1,     1,     1},
  /* completed*/ {0,    0,     0,     0,      0,      0,      0,     0,     0},
  /* failed   */ {0,    0,     0,     0,      0,      0,      0,     0,     0},
  /* killed   */ {0,    0,     0,     0,      0,      0,      0,     0,     0},
};
// clang-format on

constexpr size_t index(agent_state x) noexcept {
  return static_cast<size_t>(x);
}

} // namespace

const std::vector<agent_state>& all_agent_states() {
  static const std::vector<agent_state> xs = [] {
    std::vector<agent_state> result;
    for (auto& w : words)
      result.push_back(w.value);
    return result;
  }();
  return xs;
}

std::string to_string(agent_state x) {
  return detail::word_of(words, x, "agent_state");
}

bool from_string(std::string_view text, agent_state& x) {
  return detail::value_of(words, text, x);
}

agent_phase phase_of(agent_state x) noexcept {
  switch (x) {
  case s::spawning:
    return agent_phase::starting;
  case s::completed:
  case s::failed:
  case s::killed:
    return agent_phase::terminal;
  default:
    return agent_phase::running;
  }
}

bool may_transition(agent_state from, agent_state to) noexcept {
  auto f = index(from);
  auto t = index(to);
  return f < agent_state_count && t < agent_state_count && table[f][t];
}

std::vector<agent_state> allowed_targets(agent_state from) {
  std::vector<agent_state> result;
  for (auto to : all_agent_states())
    if (may_transition(from, to))
      result.push_back(to);
  return result;
}

caf::error check_transition(const std::string& id, agent_state from, agent_state to) {
  if (may_transition(from, to))
    return caf::none;
  std::string allowed;
  for (auto x : allowed_targets(from)) {
    if (!allowed.empty())
      allowed += ", ";
    allowed += to_string(x);
  }
  if (allowed.empty())
    allowed = "none, " + to_string(from) + " is terminal";
  return make_error(errc::invalid_transition, id, to_string(from), to_string(to),
                    std::move(allowed));
}

} // namespace vigil
