#include "report.hpp"

#include <fstream>

#include <fmt/format.h>

#include "vigil/messages/event_json.hpp"

namespace vigil::sim {

std::string clock_text(duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  auto s = ms / 1000;
  if (ms < 60 * 1000)
    return fmt::format("{}.{:03}s", s, ms % 1000);
  if (ms < 3600 * 1000)
    return fmt::format("{}m{:02}.{:03}s", s / 60, s % 60, ms % 1000);
  return fmt::format("{}h{:02}m{:02}.{:03}s", s / 3600, (s / 60) % 60, s % 60,
                     ms % 1000);
}

std::string text_line(const event& e, duration t) {
  std::string what;
  switch (e.kind) {
  case event_kind::transition:
    what = to_string(e.from) + " -> " + to_string(e.to) + " (" + e.reason + ")";
    if (e.recovery_at)
      what += ", back in " +
              format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(
                  *e.recovery_at - e.at));
    if (!e.error.empty() && e.error != e.reason)
      what += ", error: " + e.error;
    break;
  case event_kind::heartbeat_missed:
    what = "missed heartbeat " + std::to_string(e.missed);
    break;
  case event_kind::registered:
    what = "registered (" + e.type + " on " + e.node + ")";
    break;
  case event_kind::purged:
    what = "purged after retention";
    break;
  case event_kind::watchdog:
    what = "watchdog fired: " + e.reason;
    break;
  case event_kind::restart_scheduled:
    what = "restart " + std::to_string(e.attempt) + " in " +
           format_duration(
               std::chrono::duration_cast<std::chrono::milliseconds>(e.delay)) +
           " (after " + e.details + ")";
    break;
  case event_kind::restart_gave_up:
    what = "restart " + std::to_string(e.attempt) + " given up (" + e.reason + ")";
    break;
  default:
    what = "watchdog " + to_string(e.kind) + ", waited " +
           format_duration(
               std::chrono::duration_cast<std::chrono::milliseconds>(e.waited));
    if (!e.details.empty())
      what += ": " + e.details;
  }
  return fmt::format("{:>14}  {:<12} {}", clock_text(t), e.agent, what);
}

std::string counts_line(const std::map<agent_state, uint64_t>& counts) {
  std::string result;
  for (auto& [state, n] : counts)
    result += (result.empty() ? "" : "  ") + to_string(state) + " " + std::to_string(n);
  return result.empty() ? "no records (none registered, or all purged after retention)"
                        : result;
}

void print_summary(std::FILE* out, const scenario& s, const run_result& r) {
  size_t passed = 0;
  for (auto& v : r.verdicts)
    passed += v.passed;
  fmt::print(out, "\n{}: {} agents, {} events, {} of virtual time in {:.2f} s\n",
             s.name.empty() ? "scenario" : s.name, s.agents.size(), r.events.size(),
             format_duration(s.until), r.wall_seconds);
  fmt::print(out, "final: {}\n", counts_line(r.final_counts));
  fmt::print(out, "expectations: {} passed, {} failed\n", passed,
             r.verdicts.size() - passed);
  for (auto& v : r.verdicts)
    if (!v.passed)
      fmt::print(out, "  FAILED {} (agent {}): {}\n", v.what->pointer,
                 v.what->agent_pattern, v.message);
}

bool write_events(const std::string& path, const run_result& r, std::string& error) {
  std::ofstream out{path};
  if (!out) {
    error = path + ": cannot be written";
    return false;
  }
  for (auto& e : r.events) // the event schema, t in seconds since the start
    out << vigil::event_line(e, r.start) << '\n';
  return static_cast<bool>(out);
}

} // namespace vigil::sim
