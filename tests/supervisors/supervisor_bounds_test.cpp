// What keeps a supervisor bounded for months (DESIGN §14), in virtual time: offline
// agents end after `offline_retention`, subscribers are limited, and a subscriber
// cannot acknowledge what it was never sent.
#include <chrono>

#include <caf/event_based_actor.hpp>

#include "support/supervisor_fixture.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/interned.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SupervisorBounds : public vigil::test::supervisor_fixture {
public:
  SupervisorBounds() {
    cfg.heartbeat.interval = 1s;
    cfg.heartbeat.timeout = 3s;
    cfg.heartbeat.max_missed = 1;
    cfg.offline_retention = 1h;
    cfg.retention = 10min;
    start(cfg);
  }

  supervisor_settings cfg;
};

struct acker_state {
  static inline const char* name = "vigil.test.acker";
  std::vector<event> events;
};

// Subscribes, never acknowledges by itself; `ack_atom, seq` from the test makes it
// acknowledge `seq`, whatever it was sent.
caf::behavior acker(caf::stateful_actor<acker_state>* self, supervisor_actor sup) {
  self->request(sup, caf::infinite, subscription_request{}).then([](snapshot&) {});
  return {
      [=](event_batch& b) {
        for (auto& e : b.events)
          self->state.events.push_back(std::move(e));
      },
      [=](ack_atom, uint64_t seq) { self->send(sup, ack_atom::value, seq); },
  };
}

} // namespace

TEST_F(SupervisorBounds, AnAgentOfflineForOfflineRetentionEndsFailedLostThenIsPurged) {
  auto c = collector();
  idle_agent("a1");
  advance(3s); // no beat: offline now
  ASSERT_EQ(status("a1").state, s::offline);
  auto offline_at = now();
  advance(1h - 1ns);
  EXPECT_EQ(status("a1").state, s::offline);
  advance(1ns);
  auto st = status("a1");
  EXPECT_EQ(st.state, s::failed);
  EXPECT_EQ(st.reason, "lost");
  EXPECT_EQ(st.last_error, "offline for 1h (offline_retention)");
  EXPECT_EQ(st.ended_at, caf::optional<time_point>{offline_at + 1h});
  auto last = events_of(c).back();
  EXPECT_EQ(last.kind, event_kind::transition);
  EXPECT_EQ(last.from, s::offline);
  EXPECT_EQ(last.to, s::failed);
  EXPECT_EQ(last.reason, "lost");
  // Then retention, like any ended agent.
  advance(10min - 1ns);
  EXPECT_EQ(status("a1").state, s::failed);
  advance(1ns);
  EXPECT_EQ(status_error("a1"), make_error(errc::unknown_agent, std::string{"a1"}));
  EXPECT_EQ(events_of(c).back().kind, event_kind::purged);
}

// Every ended life waits behind one timer of the supervisor, whatever the order and
// instants of the ends: each goes exactly at its own end + retention.
TEST_F(SupervisorBounds, EndedAgentsArePurgedEachExactlyAtItsOwnRetention) {
  auto p1 = idle_agent("a1");
  auto p2 = idle_agent("a2");
  auto p3 = idle_agent("a3");
  report(p2, "a2", s::idle, s::completed);
  auto first = now();
  advance(1s);
  report(p3, "a3", s::idle, s::completed);
  report(p1, "a1", s::idle, s::completed); // the same instant, the lower key last
  auto second = now();
  advance(first + 10min - now() - 1ns);
  EXPECT_FALSE(status_error("a2"));
  advance(1ns);
  EXPECT_EQ(code_of(status_error("a2")), errc::unknown_agent);
  EXPECT_FALSE(status_error("a1"));
  EXPECT_FALSE(status_error("a3"));
  advance(second + 10min - now() - 1ns);
  EXPECT_FALSE(status_error("a1"));
  EXPECT_FALSE(status_error("a3"));
  advance(1ns);
  EXPECT_EQ(code_of(status_error("a1")), errc::unknown_agent);
  EXPECT_EQ(code_of(status_error("a3")), errc::unknown_agent);
}

TEST_F(SupervisorBounds,
       AnAgentThatBeatsBeforeOfflineRetentionComesBackAndItsClockRestarts) {
  auto p = idle_agent("a1");
  advance(3s);
  ASSERT_EQ(status("a1").state, s::offline);
  advance(30min);
  beat(p, "a1", s::idle); // back
  EXPECT_EQ(status("a1").state, s::idle);
  advance(3s); // silent again: offline at 30m 6s, counted from there
  ASSERT_EQ(status("a1").state, s::offline);
  auto again = now();
  advance(30min - 3s); // the first offline's hour is over: nothing happens
  EXPECT_EQ(status("a1").state, s::offline);
  advance(again + 1h - now() - 1ns);
  EXPECT_EQ(status("a1").state, s::offline);
  advance(1ns);
  EXPECT_EQ(status("a1").state, s::failed);
  EXPECT_EQ(status("a1").reason, "lost");
}

TEST_F(SupervisorBounds, OfflineRetentionIsPerTypeAndNullKeepsForever) {
  cfg.types["keeper"].offline_retention = vigil::off;
  cfg.types["brief"].offline_retention = 1min;
  start(cfg);
  idle_agent("k", "keeper");
  idle_agent("b", "brief");
  idle_agent("w", "worker"); // the global hour
  advance(3s + 1min);
  EXPECT_EQ(status("b").state, s::failed);
  EXPECT_EQ(status("w").state, s::offline);
  advance(1000h);
  EXPECT_EQ(status("k").state, s::offline);
  EXPECT_EQ(status_error("w"), make_error(errc::unknown_agent, std::string{"w"}));
}

TEST_F(SupervisorBounds, AtMostMaxSubscribersAndOneMoreOnceOneLeaves) {
  cfg.max_subscribers = 2;
  start(cfg);
  auto c1 = collector();
  auto c2 = collector();
  auto c3 = collector();
  using state = vigil::test::collector_state;
  EXPECT_FALSE(state_of<state>(c1).refused);
  EXPECT_FALSE(state_of<state>(c2).refused);
  EXPECT_EQ(state_of<state>(c3).refused,
            make_error(errc::invalid_request, std::string{"supervisor"},
                       std::string{"subscribe"}, std::string{"2 subscribers"},
                       std::string{"fewer than 2"}));
  EXPECT_EQ(stats().subscribers, 2u);
  caf::anon_send(c1, caf::unsubscribe_atom::value);
  sched.run();
  auto c4 = collector();
  EXPECT_FALSE(state_of<state>(c4).refused);
  EXPECT_EQ(stats().subscribers, 2u);
}

TEST_F(SupervisorBounds, AnAckAboveWhatWasSentIsRefusedAndKeepsTheWindow) {
  cfg.subscriber_window = 4;
  start(cfg);
  auto a = track(sys.spawn(acker, sup));
  sched.run();
  for (int i = 0; i < 5; ++i)
    idle_agent("a" + std::to_string(i)); // 10 events
  auto& got = state_of<acker_state>(a).events;
  ASSERT_EQ(got.size(), 4u); // the window
  caf::anon_send(a, ack_atom::value, uint64_t{100});
  sched.run();
  EXPECT_EQ(got.size(), 4u); // refused: the window is still full
  EXPECT_EQ(stats().max_in_flight, 4u);
  caf::anon_send(a, ack_atom::value, uint64_t{5}); // 5 was not sent either
  sched.run();
  EXPECT_EQ(got.size(), 4u);
  caf::anon_send(a, ack_atom::value, uint64_t{4}); // all it was sent
  sched.run();
  ASSERT_EQ(got.size(), 8u);
  EXPECT_EQ(got.back().seq, 8u);
}

TEST_F(SupervisorBounds, NamesPeersChoseAreFreedWithTheirLastRecord) {
  auto before = interned_names();
  std::vector<caf::actor> agents;
  for (int i = 0; i < 50; ++i)
    agents.push_back(
        idle_agent("x" + std::to_string(i), "churned-type-" + std::to_string(i)));
  EXPECT_EQ(interned_names(), before + 51); // 50 types and their node
  for (int i = 0; i < 50; ++i)
    report(agents[i], "x" + std::to_string(i), s::idle, s::completed);
  advance(10min); // retention: purged
  EXPECT_EQ(stats().agents, 0u);
  EXPECT_EQ(interned_names(), before);
}

TEST_F(SupervisorBounds, AFlappingAgentEndsOfflineRetentionAfterItsLastOfflineOnly) {
  auto p = idle_agent("a1");
  for (int i = 0; i < 20; ++i) { // offline for 3 s, back, a minute apart
    advance(3s);
    ASSERT_EQ(status("a1").state, s::offline) << i;
    advance(57s);
    beat(p, "a1", s::idle);
    ASSERT_EQ(status("a1").state, s::idle) << i;
  }
  advance(3s);
  auto last = now();
  advance(1h - 1ns); // the first message came 40 minutes ago: re-armed for the rest
  EXPECT_EQ(status("a1").state, s::offline);
  advance(1ns);
  EXPECT_EQ(status("a1").state, s::failed);
  EXPECT_EQ(status("a1").ended_at, caf::optional<time_point>{last + 1h});
}
