// vigil-sim: runs a JSON scenario against the real supervisor and agent actors in
// virtual time. Exit 0 when every expectation holds, 1 when one fails, 2 on bad input.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <unistd.h>

#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>

#include "report.hpp"
#include "runner.hpp"
#include "scenario.hpp"

namespace {

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

/// Reads the command line (CLI11). Nothing: go on; a code: exit with it, the help or
/// CLI11's message printed (0 after `--help`, 2 on bad usage).
std::optional<int> parse(int argc, char** argv, cli& x) {
  CLI::App app{"vigil-sim: runs a JSON scenario against the real supervisor and agent "
               "actors in virtual time.",
               "vigil-sim"};
  // As before CLI11: an option given twice takes the last value.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.footer("Exit 0 when every expectation holds, 1 when one fails, 2 on bad input.");
  app.add_option("SCENARIO", x.scenario, "the scenario")
      ->required()
      ->type_name("SCENARIO.json");
  app.add_option("--config", x.config, "a settings file under the scenario's settings")
      ->type_name("SETTINGS.json");
  app.add_option("--events", x.events, "write every event as a line of JSON")
      ->type_name("FILE.jsonl");
  app.add_option("--timeline", x.timeline, "write a timeline page")
      ->type_name("FILE.html");
  app.add_option("--store", x.store, "keep the supervisor's record in this SQLite file")
      ->type_name("FILE.db");
  app.add_flag("--quiet", x.quiet, "print the summary only");
  auto* realtime = app.add_flag("--realtime", x.realtime,
                                "run on the wall clock with CAF's real scheduler");
  app.add_option("--speed", x.speed,
                 "with --realtime: every span this many times shorter (virtual time "
                 "runs as fast as it can)")
      ->check(CLI::Validator{
          [](std::string& text) -> std::string {
            char* end = nullptr;
            auto v = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || !(v > 0) || v > 1e6)
              return "expects a factor above 0 such as 10, found \"" + text + "\"";
            return {};
          },
          ""})
      ->type_name("X")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
    // As before CLI11: --speed 1 (the default) is fine without --realtime.
    if (x.speed != 1.0 && !x.realtime)
      throw CLI::RequiresError("--speed", realtime->get_name());
  } catch (const CLI::ParseError& e) {
    auto code = app.exit(e); // prints the help, or the message and a hint
    return code == 0 ? 0 : 2;
  }
  return std::nullopt;
}

} // namespace

int main(int argc, char** argv) {
  using namespace vigil;
  cli args;
  if (auto code = parse(argc, argv, args))
    return *code;
  std::string error;
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
        std::printf("%s\n", sim::text_line(e, t).c_str());
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
