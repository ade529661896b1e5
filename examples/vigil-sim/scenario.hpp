// A simulation scenario (DESIGN §8): settings, agents, a timeline of what the simulated
// work does, and expectations about what the supervisor records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/config/config_problem.hpp"
#include "vigil/config/settings.hpp"
#include "vigil/messages/agent_state.hpp"
#include "vigil/messages/child_evidence.hpp"
#include "vigil/messages/event_kind.hpp"
#include "vigil/messages/quota_reason.hpp"
#include "vigil/messages/slot_kind.hpp"

namespace vigil::sim {

/// What one scenario may ask for, checked while it is read and before anything it names
/// is allocated. The defaults are the documented limits; tests pass smaller ones.
struct scenario_limits {
  /// Agents declared in all, `count` expansions included (a fleet this size needs
  /// about 2.5 GB to simulate).
  uint64_t agents = 1'000'000;
  /// Agents named by all timeline and expect entries together (each entry counts the
  /// agents its id or glob matches).
  uint64_t expansion = 10'000'000;
  /// Agent ids examined by globs in all (entries with a glob x agents), so that a small
  /// file cannot ask for hours of matching.
  uint64_t glob_scan = 100'000'000;
};

struct agent_spec {
  std::string id;
  std::string type = "default";
  std::string node = "local";
};

enum class action_kind : uint8_t {
  spawn,
  slot,
  finish,
  quota,
  activity,
  child_start,
  child_exit,
  hang,
  wake,
  crash,
  complete,
  fail,
  kill,
  pause,
  resume,
  partition,
  heal,
};

std::string to_string(action_kind x);

/// One timeline entry, its agents resolved (or its node, for partition / heal).
struct action {
  duration at{0};
  size_t index = 0; ///< File order, for entries at the same time.
  action_kind kind = action_kind::spawn;
  std::vector<size_t> agents; ///< Indexes into `scenario::agents`.
  std::string node;
  slot_kind slot = slot_kind::work;
  std::optional<duration> run_for;        ///< slot: finishes by itself after this.
  std::optional<duration> activity_every; ///< slot: output at this period.
  quota_reason reason = quota_reason::rate_limit;
  std::optional<duration> retry_after;
  child_evidence evidence = child_evidence::fresh_progress;
  std::string error;
  std::string pointer; ///< "/timeline/3", for messages.
};

enum class expectation_kind : uint8_t { state_at, states, event };

struct expectation {
  expectation_kind kind = expectation_kind::state_at;
  std::string agent_pattern; ///< As written.
  std::vector<size_t> agents;
  duration at{0};                        ///< state_at, and event "at".
  agent_state state = agent_state::idle; ///< state_at.
  std::vector<agent_state> states;       ///< states.
  event_kind event = event_kind::transition;
  std::optional<agent_state> to;
  std::optional<std::string> reason; ///< transition, watchdog, restart_gave_up.
  std::optional<duration> event_at;
  duration tolerance = std::chrono::milliseconds(1);
  std::optional<std::pair<duration, duration>> between;
  std::optional<uint64_t> count;
  std::string pointer; ///< "/expect/2".
};

struct scenario {
  std::string name;
  std::string description;
  settings config;
  std::vector<agent_spec> agents;
  std::vector<action> timeline; ///< Sorted by (at, index).
  std::vector<expectation> expectations;
  duration until{0};
  /// Seeds the supervisor's restart jitter (`supervisor_options::restart_seed`); the
  /// runner uses a fixed seed when the file gives none, so every run repeats exactly.
  std::optional<uint64_t> seed;
};

/// Whether `name` matches `pattern` (`*` any run, `?` one character): `fnmatch(3)`
/// with a backslash taken as itself. Patterns with `[`, `]`, `{` or `}` are refused
/// where they are read, so brackets (which `fnmatch` would take as a set) mean nothing.
bool glob_match(const std::string& pattern, const std::string& name);

/// Reads a scenario; `base` holds the settings a `--config` file gave.
std::optional<scenario> read_scenario(std::string_view text, const std::string& file,
                                      const settings& base, config_problem& why,
                                      const scenario_limits& limits = {});

std::optional<scenario> read_scenario_file(const std::string& path,
                                           const settings& base, config_problem& why);

} // namespace vigil::sim
