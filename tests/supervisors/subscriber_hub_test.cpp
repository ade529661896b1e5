#include "vigil/supervisors/subscriber_hub.hpp"

#include <map>
#include <vector>

#include <gtest/gtest.h>

using namespace vigil;

namespace {

event make(const std::string& agent, agent_state to, const std::string& type = "t") {
  event e;
  e.agent = agent;
  e.type = type;
  e.to = to;
  return e;
}

struct recorder {
  std::map<uint64_t, std::vector<event>> got;
  std::map<uint64_t, std::vector<uint64_t>> resyncs;
  void flush(subscriber_hub& hub) {
    hub.flush(
        [this](uint64_t id, event_batch&& b) {
          for (auto& e : b.events)
            got[id].push_back(e);
        },
        [this](uint64_t id, uint64_t missed) { resyncs[id].push_back(missed); });
  }
};

} // namespace

TEST(SubscriberHub, NumbersEventsFromOneWithoutGaps) {
  subscriber_hub hub{8, 4};
  EXPECT_EQ(hub.last_seq(), 0u);
  for (uint64_t i = 1; i <= 20; ++i)
    EXPECT_EQ(hub.append(make("a", agent_state::idle)).seq, i);
  EXPECT_EQ(hub.history_size(), 8u);
}

TEST(SubscriberHub, FiltersByAgentTypeStateAndKind) {
  subscriber_hub hub{100, 100};
  hub.add(1, {}, caf::none);
  hub.add(2, {{"a"}, {}, {}, {}}, caf::none);
  hub.add(3, {{}, {"coder"}, {agent_state::busy}, {}}, caf::none);
  hub.add(4, {{}, {}, {}, {event_kind::heartbeat_missed}}, caf::none);
  hub.append(make("a", agent_state::busy, "coder"));
  hub.append(make("b", agent_state::busy, "coder"));
  hub.append(make("a", agent_state::idle, "coder"));
  auto missed = make("b", agent_state::busy, "worker");
  missed.kind = event_kind::heartbeat_missed;
  hub.append(missed);
  recorder r;
  r.flush(hub);
  auto seqs = [&](uint64_t id) {
    std::vector<uint64_t> xs;
    for (auto& e : r.got[id])
      xs.push_back(e.seq);
    return xs;
  };
  EXPECT_EQ(seqs(1), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(seqs(2), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(seqs(3), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(seqs(4), (std::vector<uint64_t>{4}));
}

TEST(SubscriberHub, WindowBoundsWhatIsInFlightUntilAcknowledged) {
  subscriber_hub hub{100, 3};
  hub.add(1, {}, caf::none);
  for (int i = 0; i < 5; ++i)
    hub.append(make("a", agent_state::idle));
  recorder r;
  r.flush(hub);
  EXPECT_EQ(r.got[1].size(), 3u);
  EXPECT_EQ(hub.in_flight(1), 3u);
  r.flush(hub);
  EXPECT_EQ(r.got[1].size(), 3u); // nothing more without an ack
  hub.ack(1, 2);
  EXPECT_EQ(hub.in_flight(1), 3u); // acks free whole batches only
  hub.ack(1, 3);
  EXPECT_EQ(hub.in_flight(1), 0u);
  r.flush(hub);
  ASSERT_EQ(r.got[1].size(), 5u);
  EXPECT_EQ(r.got[1].back().seq, 5u);
}

TEST(SubscriberHub, SubscriberBehindTheHistoryIsResyncedWithItsMissedCount) {
  subscriber_hub hub{4, 2};
  hub.add(1, {}, caf::none);
  hub.append(make("a", agent_state::idle));
  hub.append(make("a", agent_state::busy));
  recorder r;
  r.flush(hub); // seq 1, 2 in flight; the subscriber stops reading
  for (int i = 0; i < 10; ++i)
    hub.append(make("a", agent_state::idle));
  r.flush(hub);
  EXPECT_EQ(r.got[1].size(), 2u);
  EXPECT_EQ(hub.history_size(), 4u); // memory stays bounded
  hub.ack(1, 2);                     // reads again
  r.flush(hub);
  // Next would be seq 3; the history starts at 9: 6 events are gone.
  EXPECT_EQ(r.resyncs[1], (std::vector<uint64_t>{6}));
  hub.ack(1, hub.last_seq());
  hub.append(make("a", agent_state::busy));
  r.flush(hub);
  EXPECT_EQ(r.got[1].back().seq, 13u);
}

TEST(SubscriberHub, ReplayFromAnOldSeqAndTheMissedCase) {
  subscriber_hub hub{5, 100};
  for (int i = 0; i < 8; ++i)
    hub.append(make("a", agent_state::idle)); // history holds 4..8
  EXPECT_EQ(hub.add(1, {}, caf::optional<uint64_t>{5}), 0u);
  EXPECT_EQ(hub.add(2, {}, caf::optional<uint64_t>{1}), 2u); // 2 and 3 are gone
  EXPECT_EQ(hub.add(3, {}, caf::optional<uint64_t>{8}), 0u);
  EXPECT_EQ(hub.add(4, {}, caf::optional<uint64_t>{3}), 0u); // 4.. are all there
  recorder r;
  r.flush(hub);
  ASSERT_EQ(r.got[1].size(), 3u);
  EXPECT_EQ(r.got[1].front().seq, 6u);
  EXPECT_TRUE(r.got[2].empty()); // missed: the caller sends it a snapshot as of 8
  EXPECT_TRUE(r.got[3].empty());
  ASSERT_EQ(r.got[4].size(), 5u);
  EXPECT_EQ(r.got[4].front().seq, 4u);
  hub.append(make("a", agent_state::busy));
  r.flush(hub);
  ASSERT_EQ(r.got[2].size(), 1u);
  EXPECT_EQ(r.got[2].front().seq, 9u);
}

TEST(SubscriberHub, OnlyItsOwnStartsSeqsGoOnAnyOtherResyncs) {
  // Start 1 committed up to seq 10 before it crashed (it may have sent more); this
  // start numbers on from 11.
  subscriber_hub hub{100, 100};
  hub.continue_after(10);
  hub.begin_epoch(2);
  EXPECT_EQ(hub.epoch(), 2u);
  for (int i = 0; i < 3; ++i)
    hub.append(make("a", agent_state::idle)); // 11..13
  auto from = [](uint64_t seq) {
    return caf::optional<uint64_t>{seq};
  };
  EXPECT_EQ(hub.add(1, {}, from(12), 2), 0u); // ours: goes on
  EXPECT_EQ(hub.add(2, {}, from(12), 1), 1u); // start 1's 11, 12 may be other events
  EXPECT_EQ(hub.add(3, {}, from(10), 1), 3u); // even the committed ones: resynced
  EXPECT_EQ(hub.add(4, {}, from(10), 0), 3u); // a start it cannot name
  EXPECT_EQ(hub.add(5, {}, from(14), 2), 1u); // ahead of us
  EXPECT_EQ(hub.add(6, {}, from(9), 2), 1u);  // ours, but 10 is not in this history
  recorder r;
  r.flush(hub);
  ASSERT_EQ(r.got[1].size(), 1u);
  EXPECT_EQ(r.got[1].front().seq, 13u);
  for (uint64_t id : {2, 3, 4, 5, 6})
    EXPECT_TRUE(r.got[id].empty()) << id;
}

TEST(SubscriberHub, AnAckBeyondWhatWasSentIsRefused) {
  subscriber_hub hub{100, 2};
  hub.add(1, {}, caf::none);
  for (int i = 0; i < 5; ++i)
    hub.append(make("a", agent_state::idle));
  recorder r;
  r.flush(hub);
  ASSERT_EQ(r.got[1].size(), 2u); // 1, 2: the window
  EXPECT_FALSE(hub.ack(1, 3));
  EXPECT_FALSE(hub.ack(1, 5));
  EXPECT_EQ(hub.in_flight(1), 2u);
  r.flush(hub);
  EXPECT_EQ(r.got[1].size(), 2u);
  EXPECT_TRUE(hub.ack(1, 2));
  EXPECT_TRUE(hub.ack(99, 7)); // gone: nothing to refuse
  r.flush(hub);
  EXPECT_EQ(r.got[1].size(), 4u);
  // Subscribing again from an earlier seq moves the cursor back, not what it owes: the
  // seqs it was sent may still be acknowledged.
  EXPECT_EQ(hub.add(1, {}, caf::optional<uint64_t>{1}), 0u);
  EXPECT_EQ(hub.in_flight(1), 2u);
  EXPECT_TRUE(hub.ack(1, 4));
  EXPECT_EQ(hub.in_flight(1), 0u);
}

TEST(SubscriberHub, RemovedSubscriberGetsNothing) {
  subscriber_hub hub{5, 100};
  hub.add(1, {}, caf::none);
  hub.remove(1);
  hub.append(make("a", agent_state::idle));
  recorder r;
  r.flush(hub);
  EXPECT_TRUE(r.got.empty());
  EXPECT_EQ(hub.subscribers(), 0u);
}
