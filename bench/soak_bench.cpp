// Months without a restart, compressed (issue 17): a fleet of agent actors and their
// supervisor with a SQLite record, run for half an hour under churn. Agents work,
// end and are replaced by new ids, crash, and reconnect by node; subscribers join,
// fall behind and leave; the store stalls twice for 30 s. Every minute a row: RSS, the
// record, the history, the store's backlog, events. At the end, with the load stopped,
// two checks: a subscriber that stayed all along (snapshot plus stream) holds exactly
// the record, and so does the store's agents table.
//
//   build/bench/soak_bench [--minutes 30] [--agents 10000] [--stall-seconds 30]
//                          [--db PATH]
// Exit status 1 when a final check fails.
#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "bench_support.hpp"
#include "soak_parts.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/actors/pacer.hpp"
#include "vigil/messages/interned.hpp"
#include "vigil/messages/log.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

struct options {
  int minutes = 30;
  size_t agents = 10000;
  int stall_seconds = 30;
  std::string db;
};

bool parse(int argc, char** argv, options& x) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> const char* {
      return i + 1 < argc ? argv[++i] : nullptr;
    };
    const char* v = nullptr;
    if (arg == "--minutes" && (v = next()))
      x.minutes = std::max(1, std::atoi(v));
    else if (arg == "--agents" && (v = next()))
      x.agents = std::max<size_t>(100, std::strtoull(v, nullptr, 10));
    else if (arg == "--stall-seconds" && (v = next()))
      x.stall_seconds = std::max(0, std::atoi(v));
    else if (arg == "--db" && (v = next()))
      x.db = v;
    else {
      std::fprintf(stderr, "usage: soak_bench [--minutes 30] [--agents 10000] "
                           "[--stall-seconds 30] [--db PATH]\n");
      return false;
    }
  }
  return true;
}

constexpr size_t node_count = 10;

/// The fleet as the driver knows it: one entry per live agent actor.
struct fleet_driver {
  caf::actor_system& sys;
  supervisor_actor sup;
  std::vector<pacer_actor> pacers;
  std::vector<std::pair<std::string, agent_actor>> agents; ///< id, actor
  std::vector<bool> working;
  uint64_t next_id = 0;
  std::mt19937_64 rng{42};
  uint64_t started = 0, ended = 0, crashed = 0, reconnected = 0;

  fleet_driver(caf::actor_system& sys, supervisor_actor sup) : sys(sys), sup(sup) {
    for (size_t i = 0; i < node_count; ++i)
      pacers.push_back(*spawn_pacer(sys, sup));
  }

  void start_one(size_t at) {
    auto n = next_id++;
    auto node = n % node_count;
    agent_options opts{"agent-" + std::to_string(n), n % 3 ? "coder" : "reviewer",
                       "node-" + std::to_string(node)};
    opts.pacer = pacers[node];
    auto a = spawn_agent(sys, sup, std::move(opts));
    if (!a)
      return;
    ++started;
    if (at < agents.size()) {
      agents[at] = {"agent-" + std::to_string(n), *a};
      working[at] = false;
    } else {
      agents.emplace_back("agent-" + std::to_string(n), *a);
      working.push_back(false);
    }
  }

  size_t pick() {
    return std::uniform_int_distribution<size_t>{0, agents.size() - 1}(rng);
  }

  /// A second of load: some agents take or finish work; a few end and are replaced.
  void second(size_t workers, size_t endings) {
    for (size_t k = 0; k < workers; ++k) {
      auto i = pick();
      auto& a = agents[i].second;
      if (working[i])
        caf::anon_send(a, finish_atom::value);
      else
        caf::anon_send(a, slot_atom::value, slot_kind::work, std::string{"task"});
      working[i] = !working[i];
    }
    for (size_t k = 0; k < endings; ++k) {
      auto i = pick();
      if (k % 4 == 3)
        caf::anon_send(agents[i].second, fail_atom::value, std::string{"gave up"});
      else
        caf::anon_send(agents[i].second, complete_atom::value);
      ++ended;
      start_one(i); // a new id takes its place
    }
  }

  /// Agent actors that die without a word: the supervisor records them crashed.
  void crash(size_t n) {
    for (size_t k = 0; k < n; ++k) {
      auto i = pick();
      auto h = caf::actor_cast<caf::actor>(agents[i].second);
      h->enqueue(nullptr, caf::make_message_id(),
                 caf::make_message(caf::exit_msg{
                     h.address(), caf::make_error(caf::sec::runtime_error)}),
                 nullptr);
      ++crashed;
      start_one(i);
    }
  }

  /// A node's link comes back: its agents register again with the life they kept.
  void reconnect(size_t node) {
    caf::scoped_actor uplink{sys}; // agents take a supervisor only from their node
    for (auto& [id, a] : agents)
      if (std::stoull(id.substr(6)) % node_count == node) {
        uplink->send(a, supervisor_atom::value, agent_facing_supervisor{sup});
        ++reconnected;
      }
  }

  void end_all() {
    for (auto& [id, a] : agents)
      caf::anon_send_exit(a.address(), caf::exit_reason::user_shutdown);
    for (auto& p : pacers)
      caf::anon_send_exit(p.address(), caf::exit_reason::user_shutdown);
  }
};

} // namespace

int main(int argc, char** argv) {
  options opt;
  if (!parse(argc, argv, opt))
    return 2;
  log()->set_level(spdlog::level::warn);
  std::string dir;
  if (opt.db.empty()) {
    char tmpl[] = "/tmp/vigil-soak-XXXXXX";
    dir = mkdtemp(tmpl);
    opt.db = dir + "/fleet.db";
  }
  bench_config cfg;
  caf::actor_system sys{cfg};
  supervisor_settings settings;
  settings.heartbeat.interval = std::chrono::seconds(2);
  settings.heartbeat.timeout = std::chrono::seconds(10);
  settings.heartbeat.check_interval = std::chrono::seconds(2);
  settings.retention = std::chrono::minutes(2);
  settings.offline_retention = std::chrono::minutes(5);
  settings.store.kind = store_kind::sqlite;
  settings.store.path = opt.db;
  settings.store.buffer = 10000;
  settings.store.events_retention = std::chrono::minutes(10);
  settings.history = 16384; // a lagging subscriber falls out of it within its minute
  auto inner = open_store(settings.store);
  if (!inner) {
    std::fprintf(stderr, "soak_bench: %s\n", sys.render(inner.error()).c_str());
    return 2;
  }
  auto store = std::make_shared<stalling_store>(*inner);
  auto sup = spawn_supervisor(sys, settings, store);
  if (!sup) {
    std::fprintf(stderr, "soak_bench: %s\n", sys.render(sup.error()).c_str());
    return 2;
  }
  caf::scoped_actor self{sys};
  std::printf("# soak_bench: %zu agents, %d minutes, store stalls of %d s at minutes "
              "%d and %d; %s, scheduler: %s\n",
              opt.agents, opt.minutes, opt.stall_seconds, opt.minutes / 3,
              2 * opt.minutes / 3, opt.db.c_str(), scheduler_name().c_str());
  auto checker = spawn_stream_checker(sys, *sup, false);
  fleet_driver fleet{sys, *sup};
  for (size_t i = 0; i < opt.agents; ++i)
    fleet.start_one(i);
  std::vector<std::pair<caf::actor, int>> transient; // subscriber, minute it leaves
  soak_table table;
  table.header();
  auto t0 = wall::now();
  auto rss0 = rss_bytes();
  size_t rss_at_5 = 0, rss_last = 0;
  uint64_t stalls = 0;
  for (int s = 1; s <= opt.minutes * 60; ++s) {
    std::this_thread::sleep_until(t0 + std::chrono::seconds(s));
    fleet.second(opt.agents / 20, opt.agents / 1000 + 1);
    if (s % 10 == 0)
      fleet.crash(5);
    if (s % 300 == 150)
      fleet.reconnect(static_cast<size_t>(s / 300) % node_count);
    auto minute = s / 60;
    if (opt.stall_seconds > 0 && s % 60 == 0 &&
        (minute == std::max(1, opt.minutes / 3) || minute == 2 * opt.minutes / 3)) {
      store->stall_for(std::chrono::seconds(opt.stall_seconds));
      ++stalls;
    }
    if (s % 60 == 30) { // a subscriber joins; every other one falls behind for a minute
      bool lags = (minute % 2) == 1;
      transient.emplace_back(spawn_stream_checker(sys, *sup, lags), minute + 3);
    }
    if (s % 60 != 0)
      continue;
    for (auto i = transient.begin(); i != transient.end();) {
      if (i->second <= minute) {
        caf::anon_send_exit(i->first, caf::exit_reason::user_shutdown);
        i = transient.erase(i);
      } else {
        ++i;
      }
    }
    auto x = stats(self, *sup);
    auto rss = rss_bytes();
    if (minute == 5)
      rss_at_5 = rss;
    rss_last = rss;
    auto c = checker_report(self, checker);
    table.row(minute, x, rss, interned_names(), c, fleet);
  }
  // The load stops; the fleet keeps beating. Then the checks.
  progress("soak_bench: load stopped; waiting for the stream and the store to settle");
  for (auto& t : transient)
    caf::anon_send_exit(t.first, caf::exit_reason::user_shutdown);
  auto settled = settle(self, *sup, checker);
  auto record = record_of(self, *sup);
  auto seen = checker_model(self, checker);
  auto stored = stored_agents(opt.db);
  bool stream_ok = settled && seen == record;
  bool store_ok = stored == record;
  auto x = stats(self, *sup);
  auto c = checker_report(self, checker);
  std::printf("\n");
  row("RSS at minute 5 / at the last minute", "flat",
      grouped(rss_at_5 / 1e6, 1) + " MB / " + grouped(rss_last / 1e6, 1) + " MB",
      rss_at_5 ? ratio_text(static_cast<double>(rss_last) / rss_at_5) : "");
  row("RSS growth from the start to the last minute", "",
      grouped((rss_last - rss0) / 1e6, 1) + " MB (" +
          grouped((rss_bytes() - rss0) / 1e6, 1) +
          " MB after the checks, which copy the record)",
      "");
  row("agents started / ended / crashed / reconnected", "",
      grouped(fleet.started) + " / " + grouped(fleet.ended) + " / " +
          grouped(fleet.crashed) + " / " + grouped(fleet.reconnected),
      "");
  row("events / committed / dropped / repairs", "",
      grouped(x.last_seq) + " / " + grouped(x.store_committed) + " / " +
          grouped(x.store_dropped) + " / " + grouped(x.store_repairs),
      "");
  row("store stalls", "", std::to_string(stalls), "");
  row("checker: events read / resyncs / gaps", "0 gaps",
      grouped(c.events) + " / " + grouped(c.resyncs) + " / " + grouped(c.gaps), "");
  row("snapshot + stream == record", "yes",
      stream_ok ? "yes (" + grouped(record.size()) + " agents)"
                : "NO (" + grouped(seen.size()) + " seen, " + grouped(record.size()) +
                      " in the record)",
      "");
  row("store agents table == record", "yes",
      store_ok ? "yes" : "NO (" + grouped(stored.size()) + " rows)", "");
  fleet.end_all();
  caf::anon_send_exit(checker, caf::exit_reason::user_shutdown);
  self->send_exit(*sup, caf::exit_reason::user_shutdown);
  self->wait_for(*sup);
  if (!dir.empty())
    std::filesystem::remove_all(dir);
  return stream_ok && store_ok && c.gaps == 0 ? 0 : 1;
}
