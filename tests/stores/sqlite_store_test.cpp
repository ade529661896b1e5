// The SQLite store through its interface (open_store, then the fleet_store calls) on a
// real file in a temporary directory: pruning by age, seqs that never go back, the
// epoch of each start, batches applied once, repairs, restarts in the record, and the
// migrations to schema 4.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "stores/restart_record_checks.hpp"
#include "stores/store_events.hpp"
#include "support/printers.hpp"
#include "support/scratch_dir.hpp"

using namespace vigil;
using namespace vigil::test;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SqliteStore : public ::testing::Test {
public:
  SqliteStore() {
    cfg.kind = store_kind::sqlite;
    cfg.path = scratch / "fleet.db";
    cfg.events_retention = 1h;
  }

  std::shared_ptr<fleet_store> open() {
    auto x = open_store(cfg);
    EXPECT_TRUE(x) << (x ? "" : to_string(x.error()));
    return x ? *x : nullptr;
  }

  /// Runs `sql` on a connection of its own; the first column of each row.
  std::vector<int64_t> query(const std::string& sql) {
    std::vector<int64_t> xs;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(cfg.path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    while (stmt && sqlite3_step(stmt) == SQLITE_ROW)
      xs.push_back(sqlite3_column_int64(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return xs;
  }

  std::vector<int64_t> event_seqs() {
    return query("SELECT seq FROM events ORDER BY seq");
  }

  uint64_t begin(fleet_store& store) {
    auto x = store.begin_epoch();
    EXPECT_TRUE(x) << (x ? "" : to_string(x.error()));
    return x ? *x : 0;
  }

  uint64_t last_seq(fleet_store& store) {
    auto x = store.load();
    EXPECT_TRUE(x) << (x ? "" : to_string(x.error()));
    return x ? x->last_seq : 0;
  }

  scratch_dir scratch;
  store_settings cfg;
};

using seqs = std::vector<int64_t>;

} // namespace

TEST_F(SqliteStore,
       EventsOlderThanTheRetentionArePrunedAtMostOncePerMinuteOfEventTime) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_FALSE(store->commit({registered(1, "a1", 0s)}, origin)); // prunes: first
  ASSERT_FALSE(store->commit({registered(2, "a2", 10s)}, origin));
  // 1 h 10 s: the first pruning was a minute of event time ago or more. Older than
  // the hour means before 10 s: event 2, at exactly 10 s, stays.
  ASSERT_FALSE(store->commit({registered(3, "a3", 1h + 10s)}, origin));
  EXPECT_EQ(event_seqs(), (seqs{2, 3}));
  // 59 s later event 2 is older than the hour, but pruning waits for its minute.
  ASSERT_FALSE(store->commit({registered(4, "a4", 1h + 69s)}, origin));
  EXPECT_EQ(event_seqs(), (seqs{2, 3, 4}));
  ASSERT_FALSE(store->commit({registered(5, "a5", 1h + 70s)}, origin));
  EXPECT_EQ(event_seqs(), (seqs{3, 4, 5}));
  // The rows are the record, not the stream: pruning leaves them.
  auto fleet = store->load();
  ASSERT_TRUE(fleet);
  EXPECT_EQ(fleet->agents.size(), 5u);
  EXPECT_EQ(fleet->last_seq, 5u);
}

TEST_F(SqliteStore, WithoutRetentionEveryEventIsKept) {
  cfg.events_retention = std::nullopt;
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_FALSE(store->commit({registered(1, "a1", 0s)}, origin));
  ASSERT_FALSE(store->commit({registered(2, "a2", 24h * 365)}, origin));
  EXPECT_EQ(event_seqs(), (seqs{1, 2}));
}

TEST_F(SqliteStore, SeqKeepsRisingAcrossPruningAndRestarts) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_FALSE(store->commit(
      {registered(1, "a1", 0s), registered(2, "a2", 0s), registered(3, "a3", 0s)},
      origin));
  ASSERT_FALSE(store->commit({registered(4, "a4", 2h)}, origin));
  EXPECT_EQ(event_seqs(), (seqs{4}));
  EXPECT_EQ(last_seq(*store), 4u);
  store.reset(); // the supervisor stops
  // Every event gone, as pruning would leave them after a long enough quiet spell (a
  // commit always keeps its own newest event, so this is done by hand).
  query("DELETE FROM events");
  store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(last_seq(*store), 4u); // not 0: seq 1 is never numbered again
  ASSERT_FALSE(store->commit({registered(5, "a5", 2h + 1s)}, origin));
  EXPECT_EQ(last_seq(*store), 5u);
  EXPECT_EQ(event_seqs(), (seqs{5}));
}

TEST_F(SqliteStore, EachStartRaisesTheEpochByOneAndItSurvivesAReopen) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->load()->epoch, 0u);
  EXPECT_EQ(begin(*store), 1u);
  EXPECT_EQ(store->load()->epoch, 1u);
  ASSERT_FALSE(store->commit({registered(1, "a1", 0s)}, origin));
  store.reset();
  store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->load()->epoch, 1u);
  EXPECT_EQ(begin(*store), 2u);
  store.reset();
  store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->load()->epoch, 2u);
  EXPECT_EQ(store->load()->last_seq, 1u); // the epoch is not a seq
}

TEST_F(SqliteStore, ABatchCommittedTwiceIsAppliedOnce) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<event> first{registered(1, "a1", 0s),
                           moved(2, "a1", s::spawning, s::idle, 2, 1s)};
  ASSERT_FALSE(store->commit(first, origin));
  ASSERT_FALSE(store->commit({moved(3, "a1", s::idle, s::busy, 3, 2s)}, origin));
  // The first batch again (its answer was lost): skipped, the row stays busy.
  ASSERT_FALSE(store->commit(first, origin));
  auto fleet = store->load();
  ASSERT_TRUE(fleet);
  ASSERT_EQ(fleet->agents.size(), 1u);
  EXPECT_EQ(fleet->agents[0].state, s::busy);
  EXPECT_EQ(fleet->agents[0].version, 3u);
  EXPECT_EQ(event_seqs(), (seqs{1, 2, 3}));
  // A batch half committed before: only its new part.
  ASSERT_FALSE(store->commit({moved(2, "a1", s::spawning, s::idle, 2, 1s),
                              moved(3, "a1", s::idle, s::busy, 3, 2s),
                              moved(4, "a1", s::busy, s::idle, 4, 3s)},
                             origin));
  fleet = store->load();
  ASSERT_TRUE(fleet);
  EXPECT_EQ(fleet->agents[0].state, s::idle);
  EXPECT_EQ(fleet->agents[0].version, 4u);
  EXPECT_EQ(fleet->last_seq, 4u);
  EXPECT_EQ(event_seqs(), (seqs{1, 2, 3, 4}));
}

TEST_F(SqliteStore, RepairReplacesEveryRowExactlyAndLeavesTheEvents) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_FALSE(store->commit(
      {registered(1, "a1", 0s), registered(2, "a2", 0s), registered(3, "a3", 0s)},
      origin));
  std::vector<stored_agent> rows{row("a2", 10s), row("a4", 20s, true)};
  ASSERT_FALSE(store->repair(rows, 3, origin));
  auto fleet = store->load();
  ASSERT_TRUE(fleet);
  ASSERT_EQ(fleet->agents.size(), 2u);
  expect_same(fleet->agents[0], rows[0]);
  expect_same(fleet->agents[1], rows[1]);
  EXPECT_EQ(fleet->last_seq, 3u);
  EXPECT_EQ(event_seqs(), (seqs{1, 2, 3}));
  // Later commits apply on top.
  ASSERT_FALSE(store->commit({moved(4, "a4", s::idle, s::busy, 43, 30s)}, origin));
  fleet = store->load();
  ASSERT_TRUE(fleet);
  EXPECT_EQ(find(*fleet, "a4")->state, s::busy);
  EXPECT_EQ(find(*fleet, "a4")->version, 43u);
  // All or nothing: a list naming an id twice is refused and changes nothing.
  EXPECT_TRUE(store->repair({row("a5", 0s), row("a5", 0s)}, 4, origin));
  fleet = store->load();
  ASSERT_TRUE(fleet);
  EXPECT_EQ(fleet->agents.size(), 2u);
  ASSERT_FALSE(store->repair({}, 4, origin));
  EXPECT_TRUE(store->load()->agents.empty());
}

namespace {

// The schemas of earlier builds, as they wrote them.
constexpr const char* schema_v1 = R"(
CREATE TABLE agents (
  id TEXT PRIMARY KEY, type TEXT NOT NULL, node TEXT NOT NULL, state TEXT NOT NULL,
  version INTEGER NOT NULL, registered_at INTEGER NOT NULL, started_at INTEGER,
  ended_at INTEGER, recovery_at INTEGER, reason TEXT NOT NULL, last_error TEXT NOT NULL);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, agent TEXT NOT NULL,
  type TEXT NOT NULL, node TEXT NOT NULL, from_state TEXT NOT NULL,
  to_state TEXT NOT NULL, reason TEXT NOT NULL, error TEXT NOT NULL,
  version INTEGER NOT NULL, recovery_at INTEGER, json TEXT NOT NULL);
INSERT INTO agents VALUES ('a1', 'worker', 'n1', 'idle', 2, 5, 6, NULL, NULL, '', '');
INSERT INTO events VALUES (3, 5, 'registered', 'a1', 'worker', 'n1', 'spawning',
  'spawning', '', '', 1, NULL, '{}');
INSERT INTO events VALUES (7, 6, 'transition', 'a1', 'worker', 'n1', 'spawning',
  'idle', '', '', 2, NULL, '{}');
)";
constexpr const char* schema_v2 = R"(
ALTER TABLE agents ADD COLUMN token_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN node_key_digest TEXT NOT NULL DEFAULT '';
)";
constexpr const char* schema_v3 = R"(
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) SELECT 'last_seq', COALESCE(MAX(seq), 0) FROM events;
INSERT INTO meta (key, value) VALUES ('epoch', 0);
CREATE INDEX events_at ON events (at);
)";

} // namespace

TEST_F(SqliteStore, OlderDatabasesMigrateToVersion4WithLastSeqTheirNewestEvent) {
  for (int version : {1, 2, 3}) {
    cfg.path = scratch / ("v" + std::to_string(version) + ".db");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(cfg.path.c_str(), &db), SQLITE_OK);
    auto sql = std::string{schema_v1} + (version >= 2 ? schema_v2 : "") +
               (version >= 3 ? schema_v3 : "") +
               "PRAGMA user_version = " + std::to_string(version);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
    auto store = open();
    ASSERT_TRUE(store) << version;
    auto fleet = store->load();
    ASSERT_TRUE(fleet) << version;
    EXPECT_EQ(fleet->last_seq, 7u) << version; // MAX(seq), not the count
    EXPECT_EQ(fleet->epoch, 0u) << version;
    ASSERT_EQ(fleet->agents.size(), 1u) << version;
    EXPECT_EQ(fleet->agents[0].state, s::idle) << version;
    EXPECT_EQ(fleet->agents[0].version, 2u) << version;
    // A row from before restarts: none counted, none pending.
    EXPECT_EQ(fleet->agents[0].restarts, 0u) << version;
    EXPECT_EQ(fleet->agents[0].last_restart_reason, "") << version;
    EXPECT_EQ(fleet->agents[0].restart_due, caf::none) << version;
    EXPECT_EQ(fleet->agents[0].restart_attempt, 0u) << version;
    EXPECT_EQ(fleet->agents[0].restart_cause, "") << version;
    EXPECT_EQ(begin(*store), 1u) << version;
    EXPECT_FALSE(store->commit({moved(8, "a1", s::idle, s::failed, 3, 7s),
                                restart_scheduled(9, "a1", 7s, 1, 1s, 0)},
                               origin));
    EXPECT_EQ(store->load()->agents[0].restart_due, caf::optional<duration>{8s})
        << version;
    EXPECT_EQ(query("PRAGMA user_version"), seqs{4}) << version;
    EXPECT_EQ(query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                    "name = 'events_at'"),
              seqs{1})
        << version;
    EXPECT_EQ(query("SELECT value FROM meta ORDER BY key"), (seqs{1, 9})) << version;
  }
  // A file of the next schema is still refused, and left as it is.
  cfg.path = scratch / "v5.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(cfg.path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 5", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto newer = open_store(cfg);
  ASSERT_FALSE(newer);
  EXPECT_NE(to_string(newer.error())
                .find("has schema version 5, newer than this vigil "
                      "knows (4)"),
            std::string::npos)
      << to_string(newer.error());
  EXPECT_EQ(query("PRAGMA user_version"), seqs{5});
}

TEST_F(SqliteStore, RestartsArePendingUntilTheNewLifeOrAGiveUpAndSurviveAReopen) {
  auto store = open();
  ASSERT_TRUE(store);
  check_restart_record(store, [&] {
    store.reset(); // the supervisor stops; the next one opens the file
    store = open();
  });
  // Times are stored as the other times are: ns since the store's origin.
  ASSERT_FALSE(store->commit({moved(12, "a1", s::spawning, s::failed, 7, 30s),
                              restart_scheduled(13, "a1", 30s, 1, 2s + 5ns, 0)},
                             origin));
  EXPECT_EQ(query("SELECT restart_due FROM agents WHERE id = 'a1'"),
            seqs{(32s + 5ns).count()});
  // The event keeps its restart fields in the `json` column.
  EXPECT_EQ(query("SELECT COUNT(*) FROM events WHERE json LIKE "
                  "'%\"attempt\":1,\"restarts\":0,\"delay\":2.000,\"due\":32.000%'"),
            seqs{1});
}

TEST_F(SqliteStore, ACountBeyond32BitsInARowIsRefusedAtLoad) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_FALSE(store->repair({row("a1", 0s)}, 0, origin));
  query("UPDATE agents SET restarts = 4294967296");
  auto fleet = store->load();
  ASSERT_FALSE(fleet);
  EXPECT_NE(to_string(fleet.error())
                .find("agent a1 has restarts 4294967296, expected an integer from 0 "
                      "to 4294967295"),
            std::string::npos)
      << to_string(fleet.error());
}

// SQLite reuses the pages that pruning frees: with events arriving at a steady rate,
// the file grows while the first retention's worth fills it, then stays the size it
// is (it never shrinks: that would take a VACUUM).
TEST_F(SqliteStore, TheFileStopsGrowingOncePruningReusesItsPages) {
  cfg.events_retention = 10min;
  auto store = open();
  ASSERT_TRUE(store);
  auto size_now = [&] {
    query("PRAGMA wal_checkpoint(TRUNCATE)"); // everything in the main file
    return std::filesystem::file_size(cfg.path);
  };
  uint64_t seq = 0;
  std::vector<uintmax_t> sizes;
  // From 10,000 s on, every time has as many digits in the event line (t, at_ns), so
  // rows keep their size and only page reuse can keep the file's.
  for (int round = 1; round <= 300; ++round) { // 100 events per 10 s: 6000 kept
    std::vector<event> batch;
    for (int i = 0; i < 100; ++i) {
      ++seq;
      batch.push_back(moved(seq, "a" + std::to_string(i), s::idle, s::busy, seq,
                            std::chrono::seconds(10'000 + 10 * round)));
    }
    ASSERT_FALSE(store->commit(batch, origin));
    if (round % 100 == 0)
      sizes.push_back(size_now());
  }
  EXPECT_LE(event_seqs().size(), 6100u + 600u); // a retention, a minute's slack
  // After 16 min of event time (the first figure) the file holds one retention of
  // events; twice and three times as many events later, it has not grown.
  EXPECT_EQ(sizes[1], sizes[0]);
  EXPECT_EQ(sizes[2], sizes[0]);
  std::cout << "file after 100, 200, 300 rounds (30,000 events, 6,000 kept): "
            << sizes[0] << ", " << sizes[1] << ", " << sizes[2] << " bytes\n";
}
