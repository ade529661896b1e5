// Restart (issue 9, target 9): the time for a supervisor to reload a 1,000,000-agent
// record from SQLite. Builds the record through the store's own commit path (one
// `registered` event per agent, in transactions of 10,000), then times the store's
// `load()` alone and a whole restart: `spawn_supervisor` on that file until it
// answers with every agent restored. Beside them, in the same run, SQLite alone
// reading every column of every agent row.
//
//   build/bench/reload_bench [--agents 1000000] [--dir /tmp]
#include <filesystem>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "bench_support.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/stores/fleet_store.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

/// SQLite alone: every column of every agent row, stepped through.
double raw_scan_seconds(const std::string& path, size_t& rows) {
  sqlite3* db = nullptr;
  rows = 0;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    return 0;
  auto t0 = wall::now();
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT * FROM agents", -1, &stmt, nullptr) == SQLITE_OK) {
    size_t bytes = 0; // touch every column, as a loader must
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(stmt); ++c)
        bytes += static_cast<size_t>(sqlite3_column_bytes(stmt, c));
      ++rows;
    }
    static_cast<void>(bytes);
  }
  sqlite3_finalize(stmt);
  auto secs = seconds_since(t0);
  sqlite3_close(db);
  return secs;
}

} // namespace

int main(int argc, char** argv) {
  size_t agents = 1000000;
  std::string dir = "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--agents") == 0)
      agents = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--dir") == 0)
      dir = argv[i + 1];
  }
  log()->set_level(spdlog::level::warn);
  bench_config cfg;
  caf::actor_system sys{cfg};
  auto tmpl = dir + "/vigil-reload-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    std::fprintf(stderr, "reload_bench: cannot make a directory under %s\n",
                 dir.c_str());
    return 1;
  }
  std::string scratch = buf.data();
  store_settings ss;
  ss.kind = store_kind::sqlite;
  ss.path = scratch + "/fleet.db";
  auto fail = [&](const char* what, const std::string& why) {
    std::fprintf(stderr, "reload_bench: %s: %s\n", what, why.c_str());
    std::filesystem::remove_all(scratch);
    return 1;
  };
  // Build the record.
  auto t_build = wall::now();
  {
    auto store = open_store(ss);
    if (!store)
      return fail("open", sys.render(store.error()));
    std::vector<event> batch;
    uint64_t seq = 0;
    auto origin = time_point{};
    for (size_t i = 0; i < agents; ++i) {
      event e;
      e.seq = ++seq;
      e.kind = event_kind::registered;
      e.agent = "agent-" + std::to_string(i);
      e.type = "worker";
      e.node = "node-" + std::to_string(i % 100);
      e.from = agent_state::spawning;
      e.to = agent_state::idle;
      e.reason = "registered";
      e.at = wall::now();
      e.version = 1;
      batch.push_back(std::move(e));
      if (batch.size() == 10000 || i + 1 == agents) {
        if (auto err = (*store)->commit(batch, origin))
          return fail("commit", sys.render(err));
        batch.clear();
      }
      if ((i + 1) % 200000 == 0)
        progress("reload: %zu of %zu agents written", i + 1, agents);
    }
  }
  auto build_secs = seconds_since(t_build);
  progress("reload: record of %zu agents written in %.1f s (%.0f MB)", agents,
           build_secs, static_cast<double>(std::filesystem::file_size(ss.path)) / 1e6);
  // The store's load alone.
  double load_secs = 0;
  size_t loaded = 0;
  {
    auto t0 = wall::now();
    auto store = open_store(ss);
    if (!store)
      return fail("reopen", sys.render(store.error()));
    auto fleet = (*store)->load();
    if (!fleet)
      return fail("load", sys.render(fleet.error()));
    load_secs = seconds_since(t0);
    loaded = fleet->agents.size();
  }
  // A whole restart: the supervisor answers once it has restored every agent.
  double restart_secs = 0;
  uint64_t restored = 0;
  {
    supervisor_settings sc;
    sc.store = ss;
    sc.heartbeat.timeout = 1h; // restored agents are offline already; no verdicts
    auto t0 = wall::now();
    auto sup = spawn_supervisor(sys, sc);
    if (!sup)
      return fail("restart", sys.render(sup.error()));
    caf::scoped_actor self{sys};
    restored = stats(self, *sup).agents;
    restart_secs = seconds_since(t0);
    self->send_exit(*sup, caf::exit_reason::user_shutdown);
  }
  size_t raw_rows = 0;
  auto raw_secs = raw_scan_seconds(ss.path, raw_rows);
  std::filesystem::remove_all(scratch);
  progress("reload: load %.2f s (%zu agents), restart %.2f s (%llu agents), SQLite "
           "scan %.2f s (%zu rows)",
           load_secs, loaded, restart_secs, static_cast<unsigned long long>(restored),
           raw_secs, raw_rows);
  auto ok = loaded == agents && restored == agents;
  row("9. restart: reload a " + grouped(static_cast<double>(agents)) +
          "-agent record from SQLite",
      "reported",
      std::string(ok ? "" : "INCOMPLETE: ") + "load " + grouped(load_secs, 2) +
          " s; supervisor answering with all restored after " +
          grouped(restart_secs, 2) + " s",
      "SQLite alone, every column of every row: " + grouped(raw_secs, 2) + " s",
      raw_secs > 0 ? ratio_text(load_secs / raw_secs) : "");
  return ok ? 0 : 1;
}
