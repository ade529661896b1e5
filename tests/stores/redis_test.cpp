// The Redis store against a real redis-server that each test starts on a free
// loopback port (and stops): the stream and the channel carry exactly the run's
// events in seq order, a new supervisor loads the record, and a Redis that goes away
// and comes back gets the buffered events in order.
#include <chrono>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <hiredis/hiredis.h>

#include "stores/redis_fixture.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;
using vigil::test::free_port;

namespace {

using Redis = vigil::test::redis_fixture;

} // namespace

TEST_F(Redis, StreamAndChannelCarryExactlyTheRunsEventsInSeqOrder) {
  auto sub = connect();
  ASSERT_NE(sub, nullptr);
  freeReplyObject(redisCommand(sub, "SUBSCRIBE vigil:events"));
  start(cfg);
  auto c = collector();
  auto p1 = idle_agent("a1");
  report(p1, "a1", s::idle, s::busy);
  idle_agent("a2");
  advance(40s); // a2 goes offline on the way: missed beats, a transition
  advance(1s);  // the last batch closes
  auto events = events_of(c);
  ASSERT_GE(events.size(), 6u);
  EXPECT_EQ(stats().store_committed_seq, events.back().seq);
  std::vector<uint64_t> want;
  for (auto& e : events)
    want.push_back(e.seq);
  EXPECT_EQ(stream_seqs(), want);
  std::vector<uint64_t> published;
  while (published.size() < want.size()) {
    void* r = nullptr;
    if (redisGetReply(sub, &r) != REDIS_OK)
      break;
    auto* m = static_cast<redisReply*>(r);
    auto json = boost::json::parse(std::string(m->element[2]->str, m->element[2]->len));
    published.push_back(json.as_object().at("seq").to_number<uint64_t>());
    freeReplyObject(m);
  }
  redisFree(sub);
  EXPECT_EQ(published, want);
}

TEST_F(Redis, ANewSupervisorLoadsTheRecordFromRedis) {
  start(cfg);
  auto p1 = idle_agent("a1");
  report(p1, "a1", s::idle, s::exhausted, duration{2h});
  auto p2 = idle_agent("a2");
  report(p2, "a2", s::idle, s::completed);
  advance(1s);
  auto a1 = status("a1");
  auto a2 = status("a2");
  auto last = stats().last_seq;
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.run();
  start(cfg);
  auto b1 = status("a1");
  EXPECT_EQ(b1.state, s::offline);
  EXPECT_EQ(b1.reason, "supervisor_restart");
  EXPECT_EQ(b1.recovery_at, a1.recovery_at);
  EXPECT_EQ(b1.registered_at, a1.registered_at);
  auto b2 = status("a2");
  EXPECT_EQ(b2.state, s::completed);
  EXPECT_EQ(b2.ended_at, a2.ended_at);
  EXPECT_EQ(stats().last_seq, last + 1); // a1's return to offline
}

TEST_F(Redis, ARedisThatComesBackGetsTheBufferedEventsInOrder) {
  start(cfg);
  idle_agent("a1");
  advance(1s);
  auto before = stats().store_committed_seq;
  ASSERT_GT(before, 0u);
  server.reset(); // Redis goes away (killed): its data with it
  for (int i = 2; i <= 5; ++i)
    idle_agent("a" + std::to_string(i));
  advance(2s);
  auto st = stats();
  EXPECT_TRUE(st.store_failing);
  EXPECT_EQ(st.store_pending, st.last_seq - before);
  start_redis(); // back, empty
  advance(10s);  // the next retry
  st = stats();
  EXPECT_FALSE(st.store_failing);
  EXPECT_EQ(st.store_pending, 0u);
  EXPECT_EQ(st.store_dropped, 0u);
  // Everything written since it came back: the buffered events first, in order.
  auto seqs = stream_seqs();
  ASSERT_FALSE(seqs.empty());
  EXPECT_EQ(seqs.front(), before + 1);
  for (size_t i = 1; i < seqs.size(); ++i)
    EXPECT_EQ(seqs[i], seqs[i - 1] + 1);
  EXPECT_EQ(seqs.back(), st.last_seq);
}

TEST_F(Redis, AnUnreachableRedisAtStartIsAClearError) {
  auto x = cfg;
  auto closed = free_port();
  x.store.url = "redis://127.0.0.1:" + std::to_string(closed) + "/0";
  auto h = spawn_supervisor(sys, x, options);
  ASSERT_FALSE(h);
  EXPECT_EQ(sys.render(h.error()), "vigil::bad_config: store redis " + x.store.url +
                                       ": cannot connect (Connection refused)");
}
