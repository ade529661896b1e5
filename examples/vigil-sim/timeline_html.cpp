// The --timeline picture: one self-contained HTML file with an inline SVG.
#include <fstream>
#include <map>
#include <sstream>

#include "report.hpp"

namespace vigil::sim {

namespace {

const char* colour(agent_state x) {
  switch (x) {
  case agent_state::spawning:
    return "#9aa5b1";
  case agent_state::idle:
    return "#66bb6a";
  case agent_state::busy:
    return "#1e88e5";
  case agent_state::on_call:
    return "#8e24aa";
  case agent_state::exhausted:
    return "#fb8c00";
  case agent_state::offline:
    return "#546e7a";
  case agent_state::completed:
    return "#1b5e20";
  case agent_state::failed:
    return "#e53935";
  case agent_state::killed:
    return "#212121";
  }
  return "#000";
}

std::string escape(const std::string& x) {
  std::string r;
  for (auto c : x) {
    switch (c) {
    case '<':
      r += "&lt;";
      break;
    case '>':
      r += "&gt;";
      break;
    case '&':
      r += "&amp;";
      break;
    case '"':
      r += "&quot;";
      break;
    default:
      r += c;
    }
  }
  return r;
}

constexpr double left = 140, right = 50, top = 50, width = 1000;

struct axis {
  double until_s;
  double x(duration d) const {
    return left + width * std::chrono::duration<double>(d).count() / until_s;
  }
};

void ticks(std::ostringstream& svg, const axis& ax, duration until, double y0,
           double y1) {
  for (int i = 0; i <= 10; ++i) {
    auto t = until * i / 10;
    auto x = ax.x(t);
    svg << "<line x1='" << x << "' y1='" << y0 << "' x2='" << x << "' y2='" << y1
        << "' stroke='#ddd'/><text x='" << x << "' y='" << y1 + 14
        << "' font-size='10' text-anchor='middle'>"
        << format_duration(std::chrono::duration_cast<std::chrono::seconds>(t))
        << "</text>";
  }
}

void legend(std::ostringstream& svg, double y) {
  double x = left;
  for (int i = 0; i < agent_state_count; ++i) {
    auto s = static_cast<agent_state>(i);
    svg << "<rect x='" << x << "' y='" << y << "' width='12' height='12' fill='"
        << colour(s) << "'/><text x='" << x + 16 << "' y='" << y + 10
        << "' font-size='11'>" << to_string(s) << "</text>";
    x += 100;
  }
}

// Small fleets: one row per agent, coloured bands, transition markers.
void rows(std::ostringstream& svg, const scenario& s, const run_result& r,
          const axis& ax, double& height) {
  constexpr double row = 18;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < s.agents.size(); ++i)
    index[s.agents[i].id] = i;
  struct band {
    duration from;
    agent_state state;
    bool drawn = true;
  };
  std::vector<std::vector<band>> bands(s.agents.size());
  for (auto& e : r.events) {
    auto i = index.find(e.agent);
    if (i == index.end())
      continue;
    auto t = e.at - r.start;
    if (e.kind == event_kind::registered || e.kind == event_kind::transition)
      bands[i->second].push_back({t, e.to});
    else if (e.kind == event_kind::purged) // the record is gone: an empty band
      bands[i->second].push_back({t, agent_state::spawning, false});
  }
  for (size_t i = 0; i < s.agents.size(); ++i) {
    auto y = top + i * row;
    svg << "<text x='" << left - 6 << "' y='" << y + 12
        << "' font-size='11' text-anchor='end'>" << escape(s.agents[i].id) << "</text>";
    auto& bs = bands[i];
    for (size_t k = 0; k < bs.size(); ++k) {
      if (!bs[k].drawn)
        continue;
      auto end = k + 1 < bs.size() ? bs[k + 1].from : s.until;
      auto x0 = ax.x(bs[k].from);
      auto w = std::max(ax.x(end) - x0, 0.5);
      svg << "<rect x='" << x0 << "' y='" << y + 2 << "' width='" << w << "' height='"
          << row - 4 << "' fill='" << colour(bs[k].state) << "'><title>"
          << escape(s.agents[i].id) << ": " << to_string(bs[k].state) << " from "
          << clock_text(bs[k].from) << "</title></rect>";
      if (k > 0)
        svg << "<line x1='" << x0 << "' y1='" << y << "' x2='" << x0 << "' y2='"
            << y + row << "' stroke='#000' stroke-width='1'/>";
    }
  }
  for (auto& e : r.events) { // missed beats, watchdog and restart signals as marks
    auto i = index.find(e.agent);
    if (i == index.end() || e.kind == event_kind::transition ||
        e.kind == event_kind::registered || e.kind == event_kind::purged)
      continue;
    auto x = ax.x(e.at - r.start);
    auto y = top + i->second * row + row / 2;
    auto fill = e.kind == event_kind::heartbeat_missed    ? "#fdd835"
                : e.kind == event_kind::watchdog          ? "#b71c1c"
                : e.kind == event_kind::restart_scheduled ? "#1e88e5"
                : e.kind == event_kind::restart_gave_up   ? "#000000"
                                                          : "#ffffff";
    svg << "<circle cx='" << x << "' cy='" << y << "' r='3.5' fill='" << fill
        << "' stroke='#000' stroke-width='0.7'><title>"
        << escape(text_line(e, e.at - r.start)) << "</title></circle>";
  }
  height = top + s.agents.size() * row;
}

// Large fleets: counts per state over time, stacked.
void stacks(std::ostringstream& svg, const scenario& s, const run_result& r,
            const axis& ax, double& height) {
  constexpr int samples = 500;
  constexpr double plot = 300;
  std::map<std::string, agent_state> model;
  std::vector<std::array<double, agent_state_count>> counts(samples + 1);
  size_t k = 0;
  for (int i = 0; i <= samples; ++i) {
    auto t = s.until * i / samples;
    while (k < r.events.size() && r.events[k].at - r.start <= t) {
      auto& e = r.events[k++];
      if (e.kind == event_kind::registered || e.kind == event_kind::transition)
        model[e.agent] = e.to;
      else if (e.kind == event_kind::purged)
        model.erase(e.agent);
    }
    counts[i].fill(0);
    for (auto& [id, st] : model)
      counts[i][static_cast<size_t>(st)] += 1;
  }
  double total = std::max<double>(1, s.agents.size());
  std::vector<double> base(samples + 1, 0);
  for (int st = 0; st < agent_state_count; ++st) {
    std::ostringstream pts;
    for (int i = 0; i <= samples; ++i)
      pts << ax.x(s.until * i / samples) << ',' << top + plot - plot * base[i] / total
          << ' ';
    for (int i = samples; i >= 0; --i)
      pts << ax.x(s.until * i / samples) << ','
          << top + plot - plot * (base[i] + counts[i][st]) / total << ' ';
    for (int i = 0; i <= samples; ++i)
      base[i] += counts[i][st];
    svg << "<polygon points='" << pts.str() << "' fill='"
        << colour(static_cast<agent_state>(st)) << "'><title>"
        << to_string(static_cast<agent_state>(st)) << "</title></polygon>";
  }
  svg << "<text x='" << left - 6 << "' y='" << top + 10
      << "' font-size='11' text-anchor='end'>" << s.agents.size() << "</text><text x='"
      << left - 6 << "' y='" << top + plot
      << "' font-size='11' text-anchor='end'>0</text>";
  height = top + plot;
}

} // namespace

bool write_timeline(const std::string& path, const scenario& s, const run_result& r,
                    std::string& error) {
  axis ax{std::max(std::chrono::duration<double>(s.until).count(), 1e-9)};
  std::ostringstream svg;
  double height = top;
  bool small = s.agents.size() <= 60;
  if (small)
    rows(svg, s, r, ax, height);
  else
    stacks(svg, s, r, ax, height);
  ticks(svg, ax, s.until, top - 6, height + 4);
  legend(svg, height + 28);
  std::ofstream out{path};
  if (!out) {
    error = path + ": cannot be written";
    return false;
  }
  out << "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>" << escape(s.name)
      << " - vigil-sim</title></head>\n"
      << "<body style='font-family:sans-serif;margin:16px'>\n<h2 style='margin:0'>"
      << escape(s.name.empty() ? "scenario" : s.name)
      << "</h2><p style='margin:4px 0;color:#555'>" << escape(s.description) << " ("
      << s.agents.size() << " agents, " << r.events.size() << " events, "
      << format_duration(s.until) << (small ? ")" : "; stacked counts per state)")
      << "</p>\n<svg xmlns='http://www.w3.org/2000/svg' width='" << left + width + right
      << "' height='" << height + 60 << "'>" << svg.str() << "</svg>\n</body></html>\n";
  if (!out) {
    error = path + ": write failed";
    return false;
  }
  return true;
}

} // namespace vigil::sim
