// The durable record (DESIGN §10) in virtual time: a real SQLite file in a temporary
// directory, a supervisor that stops and a new one that loads what it kept; and a
// store that fails while running.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <sqlite3.h>
#include <stdlib.h>

#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include "support/scratch_dir.hpp"
#include "support/supervisor_fixture.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/stores/fleet_store.hpp"
#include "vigil/stores/store_writer.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class Store : public vigil::test::supervisor_fixture {
public:
  Store() {
    cfg.store.kind = store_kind::sqlite;
    cfg.store.path = scratch / "fleet.db";
  }

  void stop() {
    caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
    sched.run();
  }

  std::string refusal(const supervisor_settings& x) {
    auto sup = spawn_supervisor(sys, x, options);
    EXPECT_FALSE(sup);
    return sup ? std::string{} : sys.render(sup.error());
  }

  vigil::test::scratch_dir scratch;
  supervisor_settings cfg;
};

// A store that fails on demand and keeps what it was given.
class flaky_store : public fleet_store {
public:
  bool failing = false;
  std::vector<event> committed;
  size_t commits = 0;
  size_t attempts = 0; ///< Commits tried, the failed ones too.

  uint64_t epoch = 0;
  std::vector<stored_agent> repaired;

  std::string describe() const override { return "flaky"; }
  caf::expected<stored_fleet> load() override {
    stored_fleet x;
    x.epoch = epoch;
    return x;
  }
  caf::expected<uint64_t> begin_epoch() override {
    if (failing)
      return down();
    return ++epoch;
  }
  caf::error commit(const std::vector<event>& events, time_point) override {
    ++attempts;
    if (failing)
      return down();
    ++commits;
    committed.insert(committed.end(), events.begin(), events.end());
    return caf::none;
  }
  caf::error repair(const std::vector<stored_agent>& agents, uint64_t,
                    time_point) override {
    if (failing)
      return down();
    repaired = agents;
    return caf::none;
  }

private:
  static caf::error down() {
    return make_error(errc::bad_config, std::string{"flaky"}, std::string{"down"});
  }
};

} // namespace

TEST_F(Store, ANewSupervisorLoadsTheRecordTheOldOneKept) {
  start(cfg);
  auto p1 = idle_agent("a1");
  auto p2 = idle_agent("a2");
  report(p2, "a2", s::idle, s::busy);
  auto p3 = idle_agent("a3");
  advance(1h);
  report(p3, "a3", s::idle, s::exhausted, duration{2h});
  auto p4 = idle_agent("a4");
  report(p4, "a4", s::idle, s::completed);
  beat(p1, "a1", s::idle);
  beat(p2, "a2", s::busy);
  beat(p3, "a3", s::exhausted);
  advance(1s); // batches close after 50 ms
  auto before_stats = stats();
  EXPECT_EQ(before_stats.store_committed, before_stats.store_accepted);
  EXPECT_EQ(before_stats.store_committed_seq, before_stats.last_seq);
  EXPECT_EQ(before_stats.store_pending, 0u);
  std::map<std::string, agent_status> before;
  for (auto id : {"a1", "a2", "a3", "a4"})
    before[id] = status(id);
  stop();

  start(cfg); // the same file
  auto after_stats = stats();
  EXPECT_EQ(after_stats.agents, 4u);
  // Three running agents came back offline: three new events, numbered on.
  EXPECT_EQ(after_stats.last_seq, before_stats.last_seq + 3);
  for (auto id : {"a1", "a2", "a3"}) {
    auto x = status(id);
    auto& b = before[id];
    EXPECT_EQ(x.state, s::offline) << id;
    EXPECT_EQ(x.reason, "supervisor_restart") << id;
    EXPECT_EQ(x.version, b.version + 1) << id;
    EXPECT_EQ(x.type, b.type) << id;
    EXPECT_EQ(x.node, b.node) << id;
    EXPECT_EQ(x.registered_at, b.registered_at) << id;
    EXPECT_EQ(x.started_at, b.started_at) << id;
  }
  EXPECT_EQ(status("a3").recovery_at, before["a3"].recovery_at); // exact
  auto a4 = status("a4");
  EXPECT_EQ(a4.state, s::completed);
  EXPECT_EQ(a4.ended_at, before["a4"].ended_at);
  EXPECT_EQ(a4.version, before["a4"].version);
  // A beat alone does not bring them back: beat secrets die with a supervisor. They
  // register again, each with its life's token (DESIGN §11): live again.
  auto q1 = puppet();
  beat(q1, "a1", s::idle);
  EXPECT_EQ(status("a1").state, s::offline);
  auto q2 = puppet();
  auto q3 = puppet();
  reg_again(q1, "a1", s::idle);
  reg_again(q2, "a2", s::busy);
  reg_again(q3, "a3", s::exhausted);
  EXPECT_EQ(status("a1").state, s::idle);
  EXPECT_EQ(status("a2").state, s::busy);
  EXPECT_EQ(status("a3").state, s::exhausted);
  EXPECT_EQ(status("a3").recovery_at, before["a3"].recovery_at);
  // An ended agent's retention runs from its end, not from the restart.
  advance(cfg.retention - 1s);
  EXPECT_EQ(code_of(status_error("a4")), errc::unknown_agent);
}

TEST_F(Store, ARestoreLogsOneSummaryNotOneLinePerAgent) {
  start(cfg);
  for (int i = 1; i <= 20; ++i)
    idle_agent("a" + std::to_string(i));
  advance(1s);
  stop();
  auto kept = log();
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  set_log(std::make_shared<spdlog::logger>("vigil", sink)); // info, as by default
  start(cfg);
  auto lines = sink->last_formatted();
  set_log(kept);
  size_t summaries = 0;
  for (auto& line : lines) {
    EXPECT_EQ(line.find("-> offline"), std::string::npos) << line;
    if (line.find("restored 20 agents (20 running ones offline") != std::string::npos)
      ++summaries;
  }
  EXPECT_EQ(summaries, 1u);
  for (auto id : {"a1", "a20"}) // yet each came back offline, with its event
    EXPECT_EQ(status(id).state, s::offline) << id;
}

TEST_F(Store, SeqGoesOnAfterTheLastStoredOneAcrossRestarts) {
  start(cfg);
  idle_agent("a1");
  advance(1s);
  auto first = stats().last_seq;
  stop();
  start(cfg);
  auto c = collector();
  idle_agent("a2");
  advance(1s);
  auto events = events_of(c);
  ASSERT_FALSE(events.empty());
  EXPECT_GT(events.front().seq, first);
  for (size_t i = 1; i < events.size(); ++i)
    EXPECT_EQ(events[i].seq, events[i - 1].seq + 1);
}

TEST_F(Store, BadStoresAreRefusedAtStartWithTheFileAndTheReason) {
  auto x = cfg;
  x.store.path = "/nonexistent-vigil-dir/fleet.db";
  EXPECT_EQ(
      refusal(x),
      "vigil::bad_config: store sqlite /nonexistent-vigil-dir/fleet.db: "
      "cannot be opened or created (/nonexistent-vigil-dir/fleet.db.lock: No such "
      "file or directory)");
  x.store.path = scratch / "garbage.db";
  std::ofstream{x.store.path} << std::string(4096, 'x');
  EXPECT_EQ(refusal(x), "vigil::bad_config: store sqlite " + x.store.path +
                            ": is not a vigil database (file is not a database)");
  x.store.path = scratch / "newer.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(x.store.path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(refusal(x), "vigil::bad_config: store sqlite " + x.store.path +
                            ": has schema version 99, newer than this vigil knows (4); "
                            "use a newer vigil");
}

TEST_F(Store, AFailingStoreBuffersRetriesCountsWhatItHadToDropAndIsRepaired) {
  auto store = std::make_shared<flaky_store>();
  supervisor_settings x;
  x.store.batch_size = 4;
  x.store.buffer = 10;
  auto h = spawn_supervisor(sys, x, store, options);
  ASSERT_TRUE(h) << sys.render(h.error());
  sup = track(*h);
  sched.run();
  store->failing = true;
  for (int i = 1; i <= 8; ++i) // 16 events: registered and idle each
    idle_agent("a" + std::to_string(i));
  advance(10s);
  auto st = stats();
  EXPECT_TRUE(st.store_failing);
  // Over the bound of 10 waiting, the newest were not handed over, and counted.
  EXPECT_EQ(st.store_accepted, 10u);
  EXPECT_EQ(st.store_dropped, 6u);
  EXPECT_EQ(st.store_pending, 10u);
  EXPECT_TRUE(store->committed.empty());
  store->failing = false;
  advance(10s); // the next retry (backoff at most 5 s) commits them, in order
  st = stats();
  EXPECT_FALSE(st.store_failing);
  EXPECT_EQ(st.store_pending, 0u);
  EXPECT_EQ(st.store_committed, 10u);
  ASSERT_EQ(store->committed.size(), 10u);
  for (size_t i = 0; i < 10; ++i)
    EXPECT_EQ(store->committed[i].seq, 1 + i);
  EXPECT_EQ(st.store_committed_seq, 10u);
  // The agents table missed the dropped events: once the store has caught up, a
  // repair gives it the record's rows, all eight agents idle.
  EXPECT_EQ(st.store_repairs, 1u);
  ASSERT_EQ(store->repaired.size(), 8u);
  for (auto& a : store->repaired)
    EXPECT_EQ(a.state, s::idle) << a.id;
}

TEST_F(Store, OneRecordServesOneSupervisorAtATime) {
  start(cfg);
  EXPECT_EQ(refusal(cfg), "vigil::bad_config: store sqlite " + cfg.store.path +
                              ": is in use by another supervisor");
  stop();
  auto again = spawn_supervisor(sys, cfg, options); // the first one let go of it
  ASSERT_TRUE(again) << sys.render(again.error());
  caf::anon_send_exit(*again, caf::exit_reason::user_shutdown);
  sched.run();
}

namespace {

// The store writer alone, through its typed handle: a store that fails until told
// otherwise, counting what it was asked.
class StoreWriter : public vigil::test::virtual_time {
public:
  StoreWriter() {
    cfg.batch_size = 1; // each event is committed as it comes
    writer =
        track(spawn_store_writer(sys, store, cfg, caf::actor{}, time_point{}, false));
  }

  void take(uint64_t seq) {
    event e;
    e.seq = seq;
    e.at = now();
    caf::anon_send(writer, store_atom::value, std::vector<event>{e});
    sched.run();
  }

  std::shared_ptr<flaky_store> store = std::make_shared<flaky_store>();
  store_settings cfg;
  store_writer_actor writer;
};

} // namespace

TEST_F(StoreWriter,
       RetriesAFailingStoreAfter100msDoublingUpTo5sAndStartsAgainOnceItWorks) {
  store->failing = true;
  take(1); // the first attempt, at once
  // The pauses between the attempts: 100 ms, doubling, then 5 s from then on.
  for (auto pause : {100ms, 200ms, 400ms, 800ms, 1600ms, 3200ms, 5000ms, 5000ms}) {
    auto before = store->attempts;
    advance(duration{pause} - 1ns);
    EXPECT_EQ(store->attempts, before) << pause.count();
    advance(1ns);
    EXPECT_EQ(store->attempts, before + 1) << pause.count();
  }
  store->failing = false;
  advance(5s);
  ASSERT_EQ(store->committed.size(), 1u);
  // A new failure waits the shortest pause again.
  store->failing = true;
  take(2);
  auto before = store->attempts;
  advance(100ms);
  EXPECT_EQ(store->attempts, before + 1);
}
