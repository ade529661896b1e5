// The scenario loader: every problem names the file, the JSON Pointer, what was
// expected and what was found (DESIGN §8).
#include "scenario.hpp"

#include <algorithm>
#include <fnmatch.h>
#include <map>
#include <set>
#include <unordered_map>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "vigil/config/json_read.hpp"
#include "vigil/messages/fire_reason.hpp"
#include "vigil/messages/inbound_checks.hpp"

namespace vigil::sim {

namespace json = boost::json;
using namespace json_read;

namespace {

constexpr const char* action_names[] = {
    "spawn",      "slot",  "finish", "quota",     "activity", "child_start",
    "child_exit", "hang",  "wake",   "crash",     "complete", "fail",
    "kill",       "pause", "resume", "partition", "heal",
};

std::string action_list() {
  std::string result;
  for (auto n : action_names)
    result += (result.empty() ? "" : ", ") + std::string{n};
  return result;
}

template <class Enum>
Enum word(const json::value& v, const std::string& ptr, const char* expected) {
  auto text = string(v, ptr);
  Enum x{};
  if (!from_string(text, x))
    fail(config_errc::bad_value, ptr, expected, v);
  return x;
}

class loader {
public:
  loader(const settings& base, const scenario_limits& limits) : limits_(limits) {
    s_.config = base;
  }

  scenario run(const json::value& doc) {
    auto& obj = object(doc, "");
    only_keys(obj, "",
              {"name", "description", "settings", "agents", "timeline", "expect",
               "until", "seed"});
    if (auto p = obj.if_contains("name"))
      s_.name = string(*p, "/name");
    if (auto p = obj.if_contains("description"))
      s_.description = string(*p, "/description");
    if (auto p = obj.if_contains("settings"))
      apply_settings(*p, "/settings", s_.config);
    if (auto p = obj.if_contains("seed"))
      s_.seed = static_cast<uint64_t>(integer(*p, "/seed", 0, INT64_MAX));
    read_agents(required(obj, "", "agents", "an array of agents"));
    // First: nothing may be scheduled or expected after the end.
    s_.until =
        duration_of(required(obj, "", "until", "a duration such as \"6h\""), "/until");
    if (auto p = obj.if_contains("timeline")) {
      auto& xs = array(*p, "/timeline");
      for (size_t i = 0; i < xs.size(); ++i)
        s_.timeline.push_back(read_action(xs[i], element("/timeline", i), i));
    }
    std::stable_sort(s_.timeline.begin(), s_.timeline.end(),
                     [](const action& x, const action& y) { return x.at < y.at; });
    check_spawned_first();
    if (auto p = obj.if_contains("expect")) {
      auto& xs = array(*p, "/expect");
      for (size_t i = 0; i < xs.size(); ++i)
        s_.expectations.push_back(read_expectation(xs[i], element("/expect", i)));
    }
    return std::move(s_);
  }

private:
  // A time at `ptr` within the run: from 0s up to `until`.
  duration time_at(const json::value& v, const std::string& ptr) {
    auto t = duration_of(v, ptr, false);
    if (t > s_.until)
      fail(config_errc::bad_value, ptr,
           "a time within the run, up to \"until\" (" + format_duration(s_.until) + ")",
           v);
    return t;
  }

  static const json::value& required(const json::object& obj, const std::string& ptr,
                                     const char* key, const char* expected) {
    if (auto p = obj.if_contains(key))
      return *p;
    fail(config_errc::missing_key, member(ptr, key), expected, std::string{"nothing"});
  }

  void read_agents(const json::value& v) {
    auto& xs = array(v, "/agents");
    // First the total, so an oversized fleet is refused before anything is allocated.
    uint64_t total = 0;
    std::vector<int64_t> counts(xs.size(), 0);
    for (size_t i = 0; i < xs.size(); ++i) {
      auto ptr = element("/agents", i);
      auto& obj = object(xs[i], ptr);
      if (auto p = obj.if_contains("count"))
        counts[i] = integer(
            *p, member(ptr, "count"), 1,
            static_cast<int64_t>(std::min<uint64_t>(limits_.agents, INT32_MAX)));
      total += counts[i] == 0 ? 1 : static_cast<uint64_t>(counts[i]);
    }
    if (total > limits_.agents)
      fail(config_errc::bad_value, "/agents",
           "at most " + std::to_string(limits_.agents) +
               " agents in all, counts included",
           std::to_string(total));
    s_.agents.reserve(total);
    ids_.reserve(total);
    for (size_t i = 0; i < xs.size(); ++i) {
      auto ptr = element("/agents", i);
      auto& obj = xs[i].get_object();
      only_keys(obj, ptr, {"id", "type", "node", "count"});
      agent_spec spec;
      spec.id = string(required(obj, ptr, "id", "an agent id"), member(ptr, "id"));
      if (spec.id.empty() || spec.id.find_first_of("*?") != std::string::npos)
        fail(config_errc::bad_value, member(ptr, "id"), "a non-empty id without * or ?",
             obj.at("id"));
      if (auto p = obj.if_contains("type"))
        spec.type = string(*p, member(ptr, "type"));
      if (auto p = obj.if_contains("node"))
        spec.node = string(*p, member(ptr, "node"));
      // What the supervisor would refuse at registration is refused here, by name.
      auto suffix = counts[i] == 0 ? size_t{0} : 1 + std::to_string(counts[i]).size();
      name_within(member(ptr, "id"), obj.at("id"), spec.id, suffix);
      if (auto p = obj.if_contains("type"))
        name_within(member(ptr, "type"), *p, spec.type, 0);
      if (auto p = obj.if_contains("node"))
        name_within(member(ptr, "node"), *p, spec.node, 0);
      // A node's spawner offers all its types in one spawner_offer, which the
      // supervisor takes with at most max_offer_types of them.
      auto& types = node_types_[spec.node];
      if (types.insert(spec.type).second && types.size() > max_offer_types)
        fail(config_errc::bad_value, member(ptr, "type"),
             "at most " + std::to_string(max_offer_types) + " agent types per node",
             "type \"" + spec.type + "\", the " + std::to_string(types.size()) +
                 "th on node \"" + spec.node + "\"");
      auto add = [&](agent_spec x) {
        if (!ids_.emplace(x.id, s_.agents.size()).second)
          fail(config_errc::bad_value, member(ptr, "id"), "ids used once",
               "\"" + x.id + "\" a second time");
        s_.agents.push_back(std::move(x));
      };
      if (counts[i] == 0) {
        add(spec);
      } else {
        for (int64_t k = 1; k <= counts[i]; ++k) {
          auto x = spec;
          x.id = spec.id + "-" + std::to_string(k);
          add(std::move(x));
        }
      }
    }
  }

  static void name_within(const std::string& ptr, const json::value& found,
                          const std::string& name, size_t suffix) {
    auto bad = std::any_of(name.begin(), name.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (bad || name.size() + suffix > max_name_bytes)
      fail(config_errc::bad_value, ptr,
           "a name of at most " + std::to_string(max_name_bytes - suffix) +
               " bytes without control characters",
           found);
  }

  // The agents an entry names. An exact id is looked up; a glob scans every agent, and
  // both count against the scenario's budgets before the result is allocated.
  std::vector<size_t> resolve(const json::value& v, const std::string& ptr) {
    auto pattern = string(v, ptr);
    // No NUL either: fnmatch(3) would stop reading the pattern there.
    if (pattern.empty() || pattern.find_first_of("[]{}") != std::string::npos ||
        pattern.find('\0') != std::string::npos)
      fail(config_errc::bad_value, ptr, "an agent id or a glob with * and ?", v);
    std::vector<size_t> result;
    if (pattern.find_first_of("*?") == std::string::npos) {
      if (auto i = ids_.find(pattern); i != ids_.end()) {
        expanded(ptr, 1);
        result.push_back(i->second);
      }
    } else {
      scanned_ += s_.agents.size();
      if (scanned_ > limits_.glob_scan)
        fail(config_errc::bad_value, ptr,
             "globs over at most " + std::to_string(limits_.glob_scan) +
                 " agent ids in all (entries with a glob x agents)",
             std::to_string(scanned_) + " by this entry");
      size_t n = 0;
      for (auto& a : s_.agents)
        n += glob_match(pattern, a.id) ? 1 : 0;
      expanded(ptr, n);
      result.reserve(n);
      for (size_t i = 0; i < s_.agents.size(); ++i)
        if (glob_match(pattern, s_.agents[i].id))
          result.push_back(i);
    }
    if (result.empty())
      fail(config_errc::bad_value, ptr, "an id or glob matching an agent of /agents",
           "\"" + pattern + "\", which matches none");
    return result;
  }

  // Counts `n` more agents named by timeline and expectation entries.
  void expanded(const std::string& ptr, size_t n) {
    expansion_ += n;
    if (expansion_ > limits_.expansion)
      fail(config_errc::bad_value, ptr,
           "at most " + std::to_string(limits_.expansion) +
               " agents named by all timeline and expect entries together",
           std::to_string(expansion_) + " by this entry");
  }

  action read_action(const json::value& v, const std::string& ptr, size_t index) {
    auto& obj = object(v, ptr);
    action a;
    a.index = index;
    a.pointer = ptr;
    a.at = time_at(required(obj, ptr, "at", "a duration such as \"5s\""),
                   member(ptr, "at"));
    auto& d = required(obj, ptr, "do", "an action");
    auto name = string(d, member(ptr, "do"));
    auto it = std::find(std::begin(action_names), std::end(action_names), name);
    if (it == std::end(action_names))
      fail(config_errc::bad_value, member(ptr, "do"), "one of " + action_list(), d);
    a.kind = static_cast<action_kind>(it - std::begin(action_names));
    switch (a.kind) {
    case action_kind::partition:
    case action_kind::heal: {
      only_keys(obj, ptr, {"at", "do", "node"});
      a.node = string(required(obj, ptr, "node", "a node name"), member(ptr, "node"));
      bool known = std::any_of(s_.agents.begin(), s_.agents.end(),
                               [&](const agent_spec& x) { return x.node == a.node; });
      if (!known)
        fail(config_errc::bad_value, member(ptr, "node"), "the node of an agent",
             obj.at("node"));
      return a;
    }
    case action_kind::slot:
      only_keys(obj, ptr, {"at", "do", "agent", "kind", "for", "activity_every"});
      if (auto p = obj.if_contains("kind"))
        a.slot = word<slot_kind>(*p, member(ptr, "kind"), "work or on_call");
      if (auto p = obj.if_contains("for"))
        a.run_for = duration_of(*p, member(ptr, "for"));
      if (auto p = obj.if_contains("activity_every"))
        a.activity_every = duration_of(*p, member(ptr, "activity_every"));
      break;
    case action_kind::quota:
      only_keys(obj, ptr, {"at", "do", "agent", "reason", "retry_after"});
      if (auto p = obj.if_contains("reason"))
        a.reason =
            word<quota_reason>(*p, member(ptr, "reason"), "rate_limit or billing");
      if (auto p = obj.if_contains("retry_after"))
        a.retry_after = duration_of(*p, member(ptr, "retry_after"), false);
      break;
    case action_kind::child_start:
      only_keys(obj, ptr, {"at", "do", "agent", "evidence"});
      if (auto p = obj.if_contains("evidence"))
        a.evidence = word<child_evidence>(
            *p, member(ptr, "evidence"),
            "fresh_progress, fresh_heartbeat_only, stale_label_only or "
            "os_descendant_only_stale_progress");
      break;
    case action_kind::crash:
    case action_kind::fail:
      only_keys(obj, ptr, {"at", "do", "agent", "error"});
      if (auto p = obj.if_contains("error"))
        a.error = string(*p, member(ptr, "error"));
      break;
    default:
      only_keys(obj, ptr, {"at", "do", "agent"});
    }
    a.agents = resolve(required(obj, ptr, "agent", "an agent id or glob"),
                       member(ptr, "agent"));
    return a;
  }

  // Every agent action needs the agent spawned before it (earlier, or earlier in file
  // order at the same time); nothing spawns twice.
  void check_spawned_first() {
    std::vector<char> spawned(s_.agents.size(), 0);
    for (auto& a : s_.timeline) {
      if (a.kind == action_kind::partition || a.kind == action_kind::heal)
        continue;
      for (auto i : a.agents) {
        if (a.kind == action_kind::spawn) {
          if (spawned[i])
            fail(config_errc::bad_value, member(a.pointer, "agent"),
                 "agents spawned once", "\"" + s_.agents[i].id + "\" spawned again");
          spawned[i] = 1;
        } else if (!spawned[i]) {
          fail(config_errc::bad_value, member(a.pointer, "agent"),
               "an agent spawned before " + format_duration(a.at),
               "\"" + s_.agents[i].id + "\", not spawned by then");
        }
      }
    }
  }

  expectation read_expectation(const json::value& v, const std::string& ptr) {
    auto& obj = object(v, ptr);
    expectation e;
    e.pointer = ptr;
    auto& agent = required(obj, ptr, "agent", "an agent id or glob");
    e.agent_pattern = string(agent, member(ptr, "agent"));
    e.agents = resolve(agent, member(ptr, "agent"));
    int forms =
        int{obj.contains("state")} + obj.contains("states") + obj.contains("event");
    if (forms != 1)
      fail(config_errc::bad_value, ptr,
           "exactly one of \"state\", \"states\", \"event\"",
           std::to_string(forms) + " of them");
    const char* states = "a state name such as \"idle\"";
    if (auto p = obj.if_contains("state")) {
      only_keys(obj, ptr, {"at", "agent", "state"});
      e.kind = expectation_kind::state_at;
      e.state = word<agent_state>(*p, member(ptr, "state"), states);
      e.at = time_at(required(obj, ptr, "at", "a duration such as \"5s\""),
                     member(ptr, "at"));
    } else if (auto p = obj.if_contains("states")) {
      only_keys(obj, ptr, {"agent", "states"});
      e.kind = expectation_kind::states;
      auto& xs = array(*p, member(ptr, "states"));
      for (size_t i = 0; i < xs.size(); ++i)
        e.states.push_back(
            word<agent_state>(xs[i], element(member(ptr, "states"), i), states));
    } else {
      only_keys(
          obj, ptr,
          {"agent", "event", "to", "reason", "at", "between", "count", "tolerance"});
      e.kind = expectation_kind::event;
      e.event = word<event_kind>(obj.at("event"), member(ptr, "event"),
                                 "an event kind such as \"transition\"");
      // Filters that cannot match are errors, not expectations that pass vacuously.
      if (auto q = obj.if_contains("to")) {
        if (e.event != event_kind::transition)
          fail(config_errc::bad_value, member(ptr, "to"),
               "no \"to\" except for \"transition\" events", *q);
        e.to = word<agent_state>(*q, member(ptr, "to"), states);
      }
      if (auto q = obj.if_contains("reason")) {
        auto rp = member(ptr, "reason");
        if (e.event != event_kind::transition && e.event != event_kind::watchdog &&
            e.event != event_kind::restart_gave_up)
          fail(config_errc::bad_value, rp,
               "no \"reason\" except for \"transition\", \"watchdog\" and "
               "\"restart_gave_up\" events",
               *q);
        e.reason = string(*q, rp);
        fire_reason why;
        if (e.event == event_kind::watchdog && !from_string(*e.reason, why))
          fail(config_errc::bad_value, rp, fire_reason_names(), *q);
        if (e.event == event_kind::restart_gave_up && *e.reason != "intensity" &&
            *e.reason != "no_spawner")
          fail(config_errc::bad_value, rp, "intensity or no_spawner", *q);
      }
      if (auto q = obj.if_contains("tolerance"))
        e.tolerance = duration_of(*q, member(ptr, "tolerance"), false);
      int when =
          int{obj.contains("at")} + obj.contains("between") + obj.contains("count");
      if (when != 1)
        fail(config_errc::bad_value, ptr,
             "exactly one of \"at\", \"between\", \"count\"",
             std::to_string(when) + " of them");
      if (auto q = obj.if_contains("at"))
        e.event_at = time_at(*q, member(ptr, "at"));
      if (auto q = obj.if_contains("between")) {
        auto bp = member(ptr, "between");
        auto& xs = array(*q, bp);
        if (xs.size() != 2)
          fail(config_errc::bad_value, bp, "two durations [from, to]", *q);
        auto from = time_at(xs[0], element(bp, 0));
        auto to = time_at(xs[1], element(bp, 1));
        if (to < from)
          fail(config_errc::bad_value, bp, "[from, to] with from <= to", *q);
        e.between = std::make_pair(from, to);
      }
      if (auto q = obj.if_contains("count"))
        e.count =
            static_cast<uint64_t>(integer(*q, member(ptr, "count"), 0, INT64_MAX));
    }
    return e;
  }

  scenario s_;
  scenario_limits limits_;
  std::unordered_map<std::string, size_t> ids_; ///< Agent id -> index in s_.agents.
  std::map<std::string, std::set<std::string>> node_types_; ///< Node -> its types.
  uint64_t scanned_ = 0;   ///< Agent ids examined by globs so far.
  uint64_t expansion_ = 0; ///< Agents named by entries so far.
};

} // namespace

std::string to_string(action_kind x) {
  return action_names[static_cast<size_t>(x)];
}

bool glob_match(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), FNM_NOESCAPE) == 0;
}

std::optional<scenario> read_scenario(std::string_view text, const std::string& file,
                                      const settings& base, config_problem& why,
                                      const scenario_limits& limits) {
  try {
    loader l{base, limits};
    auto result = l.run(parse(text));
    why = {};
    return result;
  } catch (json_read_error& e) {
    why = std::move(e.problem);
    why.file = file;
    return std::nullopt;
  }
}

std::optional<scenario> read_scenario_file(const std::string& path,
                                           const settings& base, config_problem& why) {
  std::string text;
  if (!read_file(path, text, why))
    return std::nullopt;
  return read_scenario(text, path, base, why);
}

} // namespace vigil::sim
