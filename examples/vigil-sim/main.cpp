// vigil-sim: runs a JSON scenario against the real supervisor and agent actors in
// virtual time. Exit 0 when every expectation holds, 1 when one fails, 2 on bad input.
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#include "report.hpp"
#include "runner.hpp"
#include "scenario.hpp"

namespace {

constexpr const char* usage =
    "usage: vigil-sim SCENARIO.json [--config SETTINGS.json] [--realtime [--speed X]]\n"
    "                 [--events FILE.jsonl] [--timeline FILE.html] [--store FILE.db]\n"
    "                 [--quiet]\n";

struct cli {
  std::string scenario;
  std::string config;
  std::string events;
  std::string timeline;
  std::string store; ///< A SQLite file for the supervisor's record.
  bool quiet = false;
  bool realtime = false;
  double speed = 1.0;
};

bool parse(int argc, char** argv, cli& x, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) {
        error = arg + " needs a value";
        return false;
      }
      out = argv[++i];
      return true;
    };
    if (arg == "--config") {
      if (!value(x.config))
        return false;
    } else if (arg == "--events") {
      if (!value(x.events))
        return false;
    } else if (arg == "--timeline") {
      if (!value(x.timeline))
        return false;
    } else if (arg == "--store") {
      if (!value(x.store))
        return false;
    } else if (arg == "--quiet") {
      x.quiet = true;
    } else if (arg == "--realtime") {
      x.realtime = true;
    } else if (arg == "--speed") {
      std::string text;
      if (!value(text))
        return false;
      char* end = nullptr;
      x.speed = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !(x.speed > 0) || x.speed > 1e6) {
        error = "--speed expects a factor above 0 such as 10, found \"" + text + "\"";
        return false;
      }
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else if (!arg.empty() && arg[0] == '-') {
      error = "unknown option " + arg;
      return false;
    } else if (x.scenario.empty()) {
      x.scenario = arg;
    } else {
      error = "more than one scenario given (" + x.scenario + ", " + arg + ")";
      return false;
    }
  }
  if (x.scenario.empty()) {
    error = "no scenario given";
    return false;
  }
  if (x.speed != 1.0 && !x.realtime) {
    error = "--speed needs --realtime (virtual time runs as fast as it can)";
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  using namespace vigil;
  cli args;
  std::string error;
  if (!parse(argc, argv, args, error)) {
    std::fprintf(stderr, "vigil-sim: %s\n%s", error.c_str(), usage);
    return 2;
  }
  config_problem why;
  settings base;
  // The event lines tell the story; a file may ask for more (--quiet: the summary
  // only).
  base.log_level = args.quiet ? "off" : "warn";
  if (!args.config.empty()) {
    auto x = read_settings_file(args.config, why);
    if (!x) {
      std::fprintf(stderr, "vigil-sim: %s\n", to_string(why).c_str());
      return 2;
    }
    base = std::move(*x);
  }
  auto s = sim::read_scenario_file(args.scenario, base, why);
  if (!s) {
    std::fprintf(stderr, "vigil-sim: %s\n", to_string(why).c_str());
    return 2;
  }
  if (args.quiet) // the summary only, whatever the files say
    s->config.log_level = "off";
  if (!args.store.empty()) {
    s->config.supervisor.store.kind = store_kind::sqlite;
    s->config.supervisor.store.path = args.store;
  }
  bool lines = !args.quiet && s->agents.size() <= 50;
  bool tty = isatty(fileno(stderr));
  sim::run_options opts;
  if (lines)
    opts.on_event = [](const event& e, duration t) {
      if (e.kind != event_kind::registered && e.kind != event_kind::purged)
        std::printf("%s\n", sim::event_line(e, t).c_str());
    };
  else if (!args.quiet)
    opts.on_hour = [](duration t, const std::map<agent_state, uint64_t>& counts) {
      std::printf("%14s  %s\n", sim::clock_text(t).c_str(),
                  sim::counts_line(counts).c_str());
      std::fflush(stdout);
    };
  opts.realtime = args.realtime;
  opts.speed = args.speed;
  if (args.realtime && tty && !args.quiet) {
    auto until = s->until;
    opts.on_progress = [until](duration t, size_t events) {
      std::fprintf(stderr, "\r  %s of %s  (%zu events)   ", sim::clock_text(t).c_str(),
                   sim::clock_text(until).c_str(), events);
      std::fflush(stderr);
    };
  }
  if (tty && !args.quiet)
    std::fprintf(stderr, "vigil-sim: running %s (%zu agents, %s)...\n", s->name.c_str(),
                 s->agents.size(), format_duration(s->until).c_str());
  auto result = sim::run(*s, opts);
  if (!result.error.empty()) {
    std::fprintf(stderr, "vigil-sim: %s\n", result.error.c_str());
    return 2;
  }
  if (opts.on_progress)
    std::fputc('\n', stderr);
  sim::print_summary(stdout, *s, result);
  if (!args.events.empty() && !sim::write_events(args.events, result, error)) {
    std::fprintf(stderr, "vigil-sim: %s\n", error.c_str());
    return 2;
  }
  if (!args.timeline.empty() &&
      !sim::write_timeline(args.timeline, *s, result, error)) {
    std::fprintf(stderr, "vigil-sim: %s\n", error.c_str());
    return 2;
  }
  for (auto& v : result.verdicts)
    if (!v.passed)
      return 1;
  return 0;
}
