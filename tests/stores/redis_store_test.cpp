// The Redis store's record against a real redis-server (one per test, on a free
// loopback port): the epoch of each start, batches applied and published once, also
// when a commit's answer comes later than the store's reply timeout and the writer
// retries it, repairs of the agent rows, and restarts in the record.
#include <chrono>
#include <string>
#include <vector>

#include <hiredis/hiredis.h>

#include "stores/redis_fixture.hpp"
#include "stores/restart_record_checks.hpp"
#include "stores/store_events.hpp"

using namespace vigil;
using namespace vigil::test;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class RedisStore : public redis_fixture {
public:
  std::shared_ptr<fleet_store> open() {
    auto x = open_store(cfg.store);
    EXPECT_TRUE(x) << (x ? "" : sys.render(x.error()));
    return x ? *x : nullptr;
  }

  /// One string answer of `cmd` on a connection of its own ("" for nil).
  std::string get(const std::vector<std::string>& cmd) {
    auto c = connect();
    if (!c)
      return "no connection";
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto& x : cmd) {
      argv.push_back(x.data());
      lens.push_back(x.size());
    }
    auto r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(cmd.size()), argv.data(), lens.data()));
    std::string out;
    if (r && r->type == REDIS_REPLY_INTEGER)
      out = std::to_string(r->integer);
    else if (r && r->str)
      out.assign(r->str, r->len);
    freeReplyObject(r);
    redisFree(c);
    return out;
  }

  /// How often the server ran EVAL so far.
  int evals() {
    auto info = get({"INFO", "commandstats"});
    auto i = info.find("cmdstat_eval:calls=");
    return i == std::string::npos ? 0 : std::stoi(info.substr(i + 19));
  }

  /// Has the server sleep for `d` (DEBUG SLEEP) and returns once it does: a PING on
  /// another connection then goes unanswered for 200 ms.
  redisContext* put_to_sleep(duration d) {
    auto ctl = connect();
    auto secs = std::chrono::duration<double>(d).count();
    redisAppendCommand(ctl, "DEBUG SLEEP %f", secs);
    int done = 0;
    while (!done)
      if (redisBufferWrite(ctl, &done) != REDIS_OK)
        break;
    auto asleep = [&] {
      auto c = connect();
      if (!c)
        return false;
      timeval tv{0, 200000};
      redisSetTimeout(c, tv);
      auto r = redisCommand(c, "PING");
      freeReplyObject(r);
      redisFree(c);
      return r == nullptr;
    };
    EXPECT_TRUE(eventually(asleep, 2s));
    return ctl;
  }
};

} // namespace

TEST_F(RedisStore, EachStartRaisesTheEpochByOne) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->load()->epoch, 0u);
  auto e1 = store->begin_epoch();
  ASSERT_TRUE(e1);
  EXPECT_EQ(*e1, 1u);
  EXPECT_EQ(store->load()->epoch, 1u);
  store.reset();
  store = open(); // another supervisor, the same Redis
  ASSERT_TRUE(store);
  EXPECT_EQ(store->load()->epoch, 1u);
  auto e2 = store->begin_epoch();
  ASSERT_TRUE(e2);
  EXPECT_EQ(*e2, 2u);
  EXPECT_EQ(get({"GET", "vigil:epoch"}), "2");
  EXPECT_EQ(store->load()->last_seq, 0u); // the epoch is not a seq
}

TEST_F(RedisStore, ABatchCommittedTwiceIsAppliedAndPublishedOnce) {
  auto sub = subscriber();
  ASSERT_NE(sub, nullptr);
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<event> first{registered(1, "a1", 0s),
                           moved(2, "a1", s::spawning, s::idle, 2, 1s)};
  ASSERT_FALSE(store->commit(first, origin));
  ASSERT_FALSE(store->commit({moved(3, "a1", s::idle, s::busy, 3, 2s)}, origin));
  ASSERT_FALSE(store->commit(first, origin)); // its answer was lost: skipped
  EXPECT_EQ(get({"HGET", "vigil:agent:a1", "state"}), "busy");
  EXPECT_EQ(get({"HGET", "vigil:agent:a1", "version"}), "3");
  ASSERT_FALSE(store->commit({moved(3, "a1", s::idle, s::busy, 3, 2s),
                              moved(4, "a1", s::busy, s::idle, 4, 3s)},
                             origin)); // half committed before: the new half
  EXPECT_EQ(published(sub), (std::vector<uint64_t>{1, 2, 3, 4}));
  redisFree(sub);
  EXPECT_EQ(stream_seqs(), (std::vector<uint64_t>{1, 2, 3, 4}));
  auto fleet = store->load();
  ASSERT_TRUE(fleet);
  EXPECT_EQ(fleet->last_seq, 4u);
  ASSERT_EQ(fleet->agents.size(), 1u);
  EXPECT_EQ(fleet->agents[0].state, s::idle);
  EXPECT_EQ(fleet->agents[0].version, 4u);
}

// The store waits 2 s for an answer (its reply timeout), then drops the connection.
// A server busy for 3 s still runs the commit it got; the writer's retry, on a new
// connection, must then find it done: each event appended, applied and published once.
TEST_F(RedisStore, ACommitAnsweredAfterTheReplyTimeoutIsRetriedAndPublishedOnce) {
  auto sub = subscriber();
  ASSERT_NE(sub, nullptr);
  start(cfg);
  auto c = collector();
  auto p1 = idle_agent("a1");
  advance(1s);
  ASSERT_FALSE(stats().store_failing);
  auto evals_before = evals();
  auto ctl = put_to_sleep(3s);
  report(p1, "a1", s::idle, s::busy);
  advance(100ms); // the batch closes at 50 ms; its commit times out (wall clock)
  EXPECT_TRUE(stats().store_failing);
  advance(1s); // the retry (backoff 100 ms) waits on a new connection, then succeeds
  auto st = stats();
  EXPECT_FALSE(st.store_failing);
  EXPECT_EQ(st.store_pending, 0u);
  EXPECT_EQ(st.store_committed_seq, st.last_seq);
  // Both calls ran: the timed-out one when the server woke, and the retry, which
  // found its events committed.
  EXPECT_EQ(evals() - evals_before, 2);
  std::vector<uint64_t> want;
  for (auto& e : events_of(c))
    want.push_back(e.seq);
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(published(sub), want); // each once, in order
  EXPECT_EQ(stream_seqs(), want);
  EXPECT_EQ(get({"HGET", "vigil:agent:a1", "state"}), "busy");
  EXPECT_EQ(get({"HGET", "vigil:agent:a1", "version"}),
            std::to_string(status("a1").version));
  EXPECT_EQ(get({"GET", "vigil:seq"}), std::to_string(st.last_seq));
  redisFree(sub);
  redisFree(ctl);
}

TEST_F(RedisStore, RepairReplacesEveryRowExactlyAndLeavesTheEvents) {
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
  ASSERT_NE(find(*fleet, "a2"), nullptr);
  ASSERT_NE(find(*fleet, "a4"), nullptr);
  expect_same(*find(*fleet, "a2"), rows[0]);
  expect_same(*find(*fleet, "a4"), rows[1]);
  EXPECT_EQ(get({"EXISTS", "vigil:agent:a1"}), "0");
  EXPECT_EQ(get({"EXISTS", "vigil:agent:a3"}), "0");
  EXPECT_EQ(fleet->last_seq, 3u);
  EXPECT_EQ(stream_seqs(), (std::vector<uint64_t>{1, 2, 3}));
  // Later commits apply on top.
  ASSERT_FALSE(store->commit({moved(4, "a4", s::idle, s::busy, 43, 30s)}, origin));
  EXPECT_EQ(get({"HGET", "vigil:agent:a4", "state"}), "busy");
  EXPECT_EQ(get({"HGET", "vigil:agent:a4", "version"}), "43");
  ASSERT_FALSE(store->repair({}, 4, origin));
  fleet = store->load();
  ASSERT_TRUE(fleet);
  EXPECT_TRUE(fleet->agents.empty());
  EXPECT_EQ(get({"EXISTS", "vigil:agents"}), "0");
}

TEST_F(RedisStore, RestartsArePendingUntilTheNewLifeOrAGiveUpAndSurviveAReopen) {
  auto store = open();
  ASSERT_TRUE(store);
  check_restart_record(store, [&] {
    store.reset(); // the supervisor stops; the next one connects anew
    store = open();
  });
  ASSERT_FALSE(store->commit({moved(12, "a1", s::spawning, s::failed, 7, 30s),
                              restart_scheduled(13, "a1", 30s, 1, 2s + 5ns, 0)},
                             origin));
  EXPECT_EQ(get({"HGET", "vigil:agent:a1", "restart_due"}),
            std::to_string((32s + 5ns).count()));
}

// A hash written before restarts were kept has none of their fields: none counted,
// none pending. A count that is not one is refused, naming the agent and field.
TEST_F(RedisStore, HashesWithoutRestartFieldsLoadAndMalformedCountsAreRefused) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_FALSE(store->repair({row("a1", 0s)}, 0, origin));
  get({"HDEL", "vigil:agent:a1", "restarts", "last_restart_reason", "restart_due",
       "restart_attempt", "restart_cause"});
  auto fleet = store->load();
  ASSERT_TRUE(fleet);
  ASSERT_EQ(fleet->agents.size(), 1u);
  EXPECT_EQ(fleet->agents[0].restarts, 0u);
  EXPECT_EQ(fleet->agents[0].last_restart_reason, "");
  EXPECT_EQ(fleet->agents[0].restart_due, caf::none);
  EXPECT_EQ(fleet->agents[0].restart_attempt, 0u);
  EXPECT_EQ(fleet->agents[0].restart_cause, "");
  for (auto bad : {"4294967296", "-1", "2x"}) {
    get({"HSET", "vigil:agent:a1", "restart_attempt", bad});
    fleet = store->load();
    ASSERT_FALSE(fleet) << bad;
    EXPECT_NE(sys.render(fleet.error())
                  .find(std::string{"agent a1 has restart_attempt \""} + bad +
                        "\", expected an integer from 0 to 4294967295"),
              std::string::npos)
        << sys.render(fleet.error());
  }
}
