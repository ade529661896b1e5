// Every writer of event JSON against docs/event.schema.json: the codec, the SQLite
// store's `events.json` column, the Redis store's stream entries and `vigil-sim
// --events`. Each test writes what its writer wrote to a file, one event a line, and
// runs tests/support/validate_events.py (python3-jsonschema) on it; the store tests
// also read every line back with the codec.
#include <arpa/inet.h>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <sqlite3.h>

#include "nodes/process.hpp"
#include "support/scratch_dir.hpp"
#include "vigil/messages/event_json.hpp"
#include "vigil/stores/fleet_store.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::scratch_dir;

namespace {

// The Unix epoch as the stores see it (any instant will do for a test).
const auto origin = time_point{} + 1h;

std::vector<event_kind> all_kinds() {
  std::vector<event_kind> xs;
  event_kind k{};
  for (unsigned i = 0; from_string(to_string(static_cast<event_kind>(i)), k); ++i)
    xs.push_back(k);
  return xs;
}

// Every kind with each optional field on and off, text no writer should trip over, and
// counters and times at their ends; seqs rise as a store wants them.
std::vector<event> sample_events() {
  const std::string texts[] = {"plain", "\x01recovery_at", "quote \" back \\ slash",
                               "new\nline\ttab", "caf\xc3\xa9 \xf0\x9f\x90\x9b"};
  std::vector<event> xs;
  uint64_t seq = 0;
  for (auto kind : all_kinds()) {
    for (int fields = 0; fields < 64; ++fields) {
      event e;
      e.seq = ++seq;
      e.kind = kind;
      auto& text = texts[seq % std::size(texts)];
      e.agent = "a" + std::to_string(seq % 7) + (fields & 1 ? text : "");
      e.type = "coder";
      e.node = "n1";
      e.from = agent_state::busy;
      e.to =
          kind == event_kind::transition ? agent_state::exhausted : agent_state::busy;
      e.reason = text;
      e.at = origin + seq * 1500ms + 1ns;
      e.version = seq;
      if (fields & 1)
        e.recovery_at = e.at + 1h;
      if (fields & 2)
        e.error = "error: " + text;
      if (fields & 4)
        e.missed = static_cast<uint32_t>(fields);
      if (fields & 8) {
        e.waited = 61500ms;
        e.details = "2 children: " + text;
      }
      if (fields & 16) { // a restart's, or a restarted life's registration
        e.attempt = static_cast<uint32_t>(fields);
        e.restarts = 3;
        e.details = "crashed: " + text;
      }
      if (fields & 32) {
        e.delay = 2500ms + 1ns;
        e.due = e.at + e.delay;
      }
      xs.push_back(std::move(e));
    }
  }
  auto last = xs.back();
  last.seq = ++seq;
  last.kind = event_kind::heartbeat_missed;
  last.version = std::numeric_limits<uint64_t>::max();
  last.missed = last.attempt = last.restarts = std::numeric_limits<uint32_t>::max();
  last.at = origin + 100 * 365 * 24h;
  xs.push_back(last);
  return xs;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out{path};
  for (auto& line : lines)
    out << line << '\n';
}

// The validator's exit code; what it printed goes to the test's output.
int validate(const std::vector<std::string>& files) {
  std::string cmd = "python3 '" VIGIL_VALIDATE_EVENTS "' '" VIGIL_EVENT_SCHEMA "'";
  for (auto& f : files)
    cmd += " '" + f + "'";
  auto status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// What a store wrote, read back with the codec: the events it was given.
void expect_read_back(const std::vector<std::string>& lines,
                      const std::vector<event>& events) {
  ASSERT_EQ(lines.size(), events.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    event_json_problem why;
    auto back = parse_event_line(lines[i], origin, why);
    ASSERT_TRUE(back) << to_string(why) << "\n" << lines[i];
    EXPECT_EQ(*back, events[i]) << lines[i];
  }
}

std::shared_ptr<fleet_store> open(const store_settings& cfg) {
  auto store = open_store(cfg);
  if (!store) {
    ADD_FAILURE() << "cannot open the store: " << to_string(store.error());
    return nullptr;
  }
  return *store;
}

} // namespace

TEST(EventSchema, CodecLinesOfEveryKindAndFieldValidate) {
  scratch_dir dir;
  std::vector<std::string> lines;
  for (auto& e : sample_events()) {
    lines.push_back(event_line(e, origin));
    lines.push_back(event_line(e, time_point{}));
  }
  auto edge = sample_events().back();
  edge.at = time_point::min();
  edge.recovery_at = time_point::max();
  edge.waited = edge.delay = duration::min();
  edge.due = time_point::max();
  lines.push_back(event_line(edge, time_point{}));
  write_lines(dir / "codec.jsonl", lines);
  EXPECT_EQ(validate({dir / "codec.jsonl"}), 0);
}

// The check can fail: lines the codec would refuse are refused by the schema too.
TEST(EventSchema, TheCheckRefusesLinesThatBreakTheSchema) {
  scratch_dir dir;
  event e = sample_events().front(); // a transition
  auto good = event_to_json(e, origin);
  auto broken = [&](const char* name, auto change) {
    auto o = good;
    change(o);
    auto path = dir / name;
    write_lines(path, {boost::json::serialize(o)});
    EXPECT_EQ(validate({path}), 1) << name;
  };
  broken("t-as-text.jsonl", [](auto& o) { o["t"] = "1.500"; });
  broken("unknown-key.jsonl", [](auto& o) { o["missed"] = 1; });
  broken("no-schema.jsonl", [](auto& o) { o.erase("schema"); });
  broken("schema-2.jsonl", [](auto& o) { o["schema"] = 2; });
  broken("unknown-kind.jsonl", [](auto& o) { o["kind"] = "explosion"; });
  broken("unknown-state.jsonl", [](auto& o) { o["to"] = "sleeping"; });
  broken("seq-negative.jsonl", [](auto& o) { o["seq"] = -1; });
  broken("count-0-on-transition.jsonl", [](auto& o) { o["count"] = 0; });
  broken("beat-without-count.jsonl", [](auto& o) { o["kind"] = "heartbeat_missed"; });
  broken("watchdog-without-waited.jsonl", [](auto& o) { o["kind"] = "progress"; });
  broken("recovery-without-ns.jsonl", [](auto& o) { o["recovery_at"] = 1.5; });
  broken("attempt-0-on-transition.jsonl", [](auto& o) { o["attempt"] = 0; });
  broken("restarts-negative.jsonl", [](auto& o) { o["restarts"] = -1; });
  broken("due-without-ns.jsonl", [](auto& o) { o["due"] = 1.5; });
  broken("restart-without-attempt.jsonl", [](auto& o) {
    o["kind"] = "restart_gave_up";
    o["restarts"] = 1;
    o["details"] = "crashed";
  });
  broken("scheduled-without-delay.jsonl", [](auto& o) {
    o["kind"] = "restart_scheduled";
    o["attempt"] = 1;
    o["restarts"] = 0;
    o["details"] = "crashed";
  });
  // ... and the last one, given its delay, is a line the schema takes.
  auto scheduled = good;
  scheduled["kind"] = "restart_scheduled";
  scheduled["attempt"] = 1;
  scheduled["restarts"] = 0;
  scheduled["details"] = "crashed";
  scheduled["delay"] = 1.0;
  scheduled["delay_ns"] = 1'000'000'000;
  write_lines(dir / "scheduled.jsonl", {boost::json::serialize(scheduled)});
  EXPECT_EQ(validate({dir / "scheduled.jsonl"}), 0);
  write_lines(dir / "empty.jsonl", {});
  EXPECT_EQ(validate({dir / "empty.jsonl"}), 1);
}

TEST(EventSchema, SqliteStoreJsonColumnValidatesAndReadsBack) {
  scratch_dir dir;
  store_settings cfg;
  cfg.kind = store_kind::sqlite;
  cfg.path = dir / "fleet.db";
  cfg.events_retention.reset(); // the last sample is a century after the others
  auto events = sample_events();
  {
    auto store = open(cfg);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->begin_epoch());
    auto err = store->commit(events, origin);
    ASSERT_FALSE(err) << to_string(err);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(cfg.path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT json FROM events ORDER BY seq", -1, &st, nullptr),
      SQLITE_OK);
  std::vector<std::string> lines;
  while (sqlite3_step(st) == SQLITE_ROW)
    lines.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                       static_cast<size_t>(sqlite3_column_bytes(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  write_lines(dir / "sqlite.jsonl", lines);
  EXPECT_EQ(validate({dir / "sqlite.jsonl"}), 0);
  expect_read_back(lines, events);
}

TEST(EventSchema, RedisStoreStreamValidatesAndReadsBack) {
  const char* server = "/usr/bin/redis-server";
  if (access(server, X_OK) != 0)
    GTEST_SKIP() << "no " << server;
  scratch_dir dir;
  // A free loopback port: bind to 0, read it back, let it go for the server.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  auto port = ntohs(addr.sin_port);
  vigil::test::process redis{{server, "--port", std::to_string(port), "--bind",
                              "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                              dir.path()},
                             dir / "redis"};
  redisContext* c = nullptr;
  ASSERT_TRUE(vigil::test::eventually(
      [&] {
        c = redisConnect("127.0.0.1", port);
        if (c && !c->err)
          return true;
        if (c)
          redisFree(c);
        c = nullptr;
        return false;
      },
      10s))
      << redis.err();
  store_settings cfg;
  cfg.kind = store_kind::redis;
  cfg.url = "redis://127.0.0.1:" + std::to_string(port) + "/0";
  auto events = sample_events();
  {
    auto store = open(cfg);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->begin_epoch());
    auto err = store->commit(events, origin);
    ASSERT_FALSE(err) << to_string(err);
  }
  std::vector<std::string> lines;
  auto r = static_cast<redisReply*>(redisCommand(c, "XRANGE vigil:events - +"));
  ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY);
  for (size_t i = 0; i < r->elements; ++i) {
    auto* fields = r->element[i]->element[1]; // ["json", line]
    lines.emplace_back(fields->element[1]->str, fields->element[1]->len);
  }
  freeReplyObject(r);
  redisFree(c);
  write_lines(dir / "redis.jsonl", lines);
  EXPECT_EQ(validate({dir / "redis.jsonl"}), 0);
  expect_read_back(lines, events);
}

#ifdef VIGIL_SIM_BIN
TEST(EventSchema, VigilSimEventsOfTheExampleScenariosValidate) {
  scratch_dir dir;
  std::vector<std::string> files;
  for (auto name : {"quota-cycle", "heartbeat-loss", "lifecycle-ends", "partition",
                    "watchdog-children", "watchdog-no-output", "watchdog-session"}) {
    auto file = dir / (std::string{name} + ".jsonl");
    vigil::test::process sim{{VIGIL_SIM_BIN,
                              std::string{VIGIL_SCENARIOS} + "/" + name + ".json",
                              "--events", file, "--quiet"},
                             dir / name};
    ASSERT_EQ(sim.wait(60s), 0) << name << ": " << sim.err() << sim.out();
    files.push_back(file);
  }
  EXPECT_EQ(validate(files), 0);
}
#endif
