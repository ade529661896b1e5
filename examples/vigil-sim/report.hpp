// What vigil-sim shows a person: event lines, the summary, JSON lines, an HTML
// timeline.
#pragma once

#include <cstdio>
#include <string>

#include "runner.hpp"
#include "scenario.hpp"

namespace vigil::sim {

/// "1h02m03.250s" style, or "12.500s" under an hour.
std::string clock_text(duration since_start);

/// One readable line for an event (transitions, missed beats, watchdog events).
std::string text_line(const event& e, duration since_start);

/// The per-state counts on one line: "idle 9000  busy 800  exhausted 200".
std::string counts_line(const std::map<agent_state, uint64_t>& counts);

/// The summary: agents, events, expectations with what was expected and seen, times.
void print_summary(std::FILE* out, const scenario& s, const run_result& r);

/// One line per event in the event schema (`vigil::event_line`,
/// docs/event.schema.json), `t` in seconds since the run's start.
bool write_events(const std::string& path, const run_result& r, std::string& error);

/// A self-contained HTML page with an inline SVG: each agent's states over time as
/// coloured bands with transition markers; for large fleets, stacked counts per state.
bool write_timeline(const std::string& path, const scenario& s, const run_result& r,
                    std::string& error);

} // namespace vigil::sim
