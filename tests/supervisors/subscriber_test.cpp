// The subscriber helper (`spawn_subscriber`, `subscribe`): snapshot and events in
// order, equal to the record, across a forced resync; a refusal and the supervisor's
// end reach `on_end`. Virtual time.
#include <map>
#include <memory>
#include <string>

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "support/supervisor_fixture.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/supervisors/subscriber.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

/// What the handlers saw, and the model they build: id -> (state, version).
struct seen {
  std::vector<snapshot> snapshots;
  std::vector<event> events;
  std::vector<caf::error> ends;
  std::map<std::string, std::pair<agent_state, uint64_t>> model;
  uint64_t last_seq = 0;
};

subscriber_handlers recording(std::shared_ptr<seen> out) {
  return {[out](const snapshot& s) {
            out->snapshots.push_back(s);
            out->model.clear();
            for (auto& a : s.agents)
              out->model[a.id] = {a.state, a.version};
            out->last_seq = s.seq;
          },
          [out](const event& e) {
            EXPECT_EQ(e.seq, out->last_seq + 1) << "a gap or a repeat";
            out->last_seq = e.seq;
            out->events.push_back(e);
            if (e.kind == event_kind::purged)
              out->model.erase(e.agent);
            else if (e.kind == event_kind::transition ||
                     e.kind == event_kind::registered)
              out->model[e.agent] = {e.to, e.version};
          },
          [out](const caf::error& err) {
            out->ends.push_back(err);
          }};
}

class Subscriber : public vigil::test::supervisor_fixture {
public:
  /// A supervisor whose history (4) and window (2) a subscriber soon falls behind,
  /// with ten idle agents a0..a9.
  std::vector<caf::actor> small_history_fleet() {
    supervisor_settings cfg;
    cfg.history = 4;
    cfg.subscriber_window = 2;
    start(cfg);
    std::vector<caf::actor> agents;
    for (int i = 0; i < 10; ++i)
      agents.push_back(idle_agent("a" + std::to_string(i)));
    return agents;
  }

  /// Eight kills while only the supervisor runs: the subscriber reads nothing, so its
  /// window fills and the history loses events it has not seen (a forced resync).
  void kills_while_only_the_supervisor_runs() {
    for (int i = 0; i < 8; ++i)
      caf::anon_send(sup, kill_atom::value, "a" + std::to_string(i));
    while (sched.prioritize(sup) && sched.try_run_once()) {
    }
    sched.run();
  }

  /// Whether `x` has ended (monitoring an ended actor answers at once).
  bool gone(const caf::actor& x) {
    caf::scoped_actor self{sys};
    self->monitor(x);
    bool down = false;
    self->receive([&](caf::down_msg&) { down = true; }, caf::after(0s) >> [] {});
    return down;
  }

  /// The supervisor's record as the same model.
  std::map<std::string, std::pair<agent_state, uint64_t>> record() {
    std::map<std::string, std::pair<agent_state, uint64_t>> x;
    auto all = ask<std::vector<agent_status>>(sup, status_atom::value);
    EXPECT_TRUE(all);
    for (auto& a : *all)
      x[a.id] = {a.state, a.version};
    return x;
  }
};

TEST_F(Subscriber, HandsSnapshotThenEveryEventInOrderEqualToTheRecord) {
  start(supervisor_settings{});
  auto a1 = idle_agent("a1");
  auto out = std::make_shared<seen>();
  subscription_request req;
  track(spawn_subscriber(sys, sup, req, recording(out)));
  sched.run();
  ASSERT_EQ(out->snapshots.size(), 1u);
  EXPECT_EQ(out->snapshots[0].agents.size(), 1u);
  auto a2 = idle_agent("a2");
  report(a1, "a1", agent_state::idle, agent_state::busy);
  caf::anon_send(sup, kill_atom::value, std::string{"a2"});
  sched.run();
  EXPECT_GE(out->events.size(), 4u); // registered, idle, busy, killed
  EXPECT_EQ(out->model, record());
  EXPECT_EQ(out->last_seq, stats().last_seq);
}

TEST_F(Subscriber, ForcedResyncHandsANewSnapshotAndTheModelStaysEqual) {
  auto agents = small_history_fleet();
  auto out = std::make_shared<seen>();
  auto subscriber =
      track(spawn_subscriber(sys, sup, subscription_request{}, recording(out)));
  sched.run();
  ASSERT_EQ(out->snapshots.size(), 1u);
  kills_while_only_the_supervisor_runs();
  ASSERT_EQ(out->snapshots.size(), 2u) << "no resync";
  EXPECT_GT(out->snapshots[1].missed, 0u);
  EXPECT_EQ(out->model, record());
  // It goes on live after the resync.
  report(agents[9], "a9", agent_state::idle, agent_state::busy);
  EXPECT_EQ(out->model, record());
  EXPECT_EQ(out->last_seq, stats().last_seq);
  EXPECT_TRUE(out->ends.empty());
  (void)subscriber;
}

// `with_agents = false` (the dashboard's streams): the first snapshot and a forced
// resync say where the stream starts over and what was missed, and carry no agents;
// the events go on as for any subscriber.
TEST_F(Subscriber, WithoutAgentsSnapshotsSayOnlyWhereTheStreamStartsOver) {
  auto agents = small_history_fleet();
  subscription_request req;
  req.with_agents = false;
  auto out = std::make_shared<seen>();
  auto subscriber = track(spawn_subscriber(sys, sup, req, recording(out)));
  sched.run();
  ASSERT_EQ(out->snapshots.size(), 1u);
  EXPECT_TRUE(out->snapshots[0].complete);
  EXPECT_EQ(out->snapshots[0].seq, 20u); // 10 registered, 10 idle
  EXPECT_EQ(out->snapshots[0].missed, 0u);
  EXPECT_TRUE(out->snapshots[0].agents.empty());
  kills_while_only_the_supervisor_runs();
  ASSERT_EQ(out->snapshots.size(), 2u) << "no resync";
  EXPECT_GT(out->snapshots[1].missed, 0u);
  EXPECT_TRUE(out->snapshots[1].complete);
  EXPECT_EQ(out->snapshots[1].seq, stats().last_seq);
  EXPECT_TRUE(out->snapshots[1].agents.empty()); // 2 agents live: none sent
  report(agents[9], "a9", agent_state::idle, agent_state::busy);
  EXPECT_EQ(out->last_seq, stats().last_seq);
  ASSERT_FALSE(out->events.empty());
  EXPECT_EQ(out->events.back().to, agent_state::busy);
  (void)subscriber;
}

TEST_F(Subscriber, ResumingFromASeqHandsEveryLaterEventAndNoSnapshot) {
  start(supervisor_settings{});
  auto first = std::make_shared<seen>();
  auto a = idle_agent("a"); // seqs 1, 2
  auto s1 = spawn_subscriber(sys, sup, subscription_request{}, recording(first));
  sched.run();
  ASSERT_EQ(first->snapshots.size(), 1u);
  auto epoch = first->snapshots[0].epoch;
  auto from = first->last_seq;
  caf::anon_send_exit(s1, caf::exit_reason::user_shutdown);
  sched.run();
  // While nobody listens: three more events.
  report(a, "a", agent_state::idle, agent_state::busy);
  report(a, "a", agent_state::busy, agent_state::idle);
  idle_agent("b");
  auto later = std::make_shared<seen>();
  later->last_seq = from;
  subscription_request req;
  req.from_seq = from;
  req.epoch = epoch;
  track(spawn_subscriber(sys, sup, req, recording(later)));
  sched.run();
  EXPECT_TRUE(later->snapshots.empty()) << "no gap: no snapshot";
  ASSERT_EQ(later->events.size(), stats().last_seq - from);
  EXPECT_EQ(later->events.front().seq, from + 1);
  EXPECT_EQ(later->last_seq, stats().last_seq);
}

TEST_F(Subscriber, ResumingFromAnotherEpochResyncsWithASnapshot) {
  start(supervisor_settings{});
  idle_agent("a");
  auto out = std::make_shared<seen>();
  subscription_request req;
  req.from_seq = 1;
  req.epoch = 12345; // not this start's
  track(spawn_subscriber(sys, sup, req, recording(out)));
  sched.run();
  ASSERT_EQ(out->snapshots.size(), 1u);
  EXPECT_GT(out->snapshots[0].missed, 0u);
  EXPECT_EQ(out->model, record());
}

TEST_F(Subscriber, GetAtomAnswersOnceSubscribedWithTheSeqItIsCurrentTo) {
  start(supervisor_settings{});
  idle_agent("a"); // seqs 1, 2
  auto sub =
      track(spawn_subscriber(sys, sup, subscription_filter{}, [](const event&) {}));
  // Asked before it ran at all: the answer waits for the subscription.
  auto seq = ask<uint64_t>(sub, caf::get_atom::value);
  ASSERT_TRUE(seq) << sys.render(seq.error());
  EXPECT_EQ(*seq, 2u);
}

TEST_F(Subscriber, GetAtomAnswersARefusalWithTheError) {
  supervisor_settings cfg;
  cfg.max_subscribers = 1;
  start(cfg);
  track(spawn_subscriber(sys, sup, subscription_filter{}, [](const event&) {}));
  sched.run();
  auto refused = spawn_subscriber(sys, sup, subscription_filter{}, [](const event&) {});
  auto seq = ask<uint64_t>(refused, caf::get_atom::value);
  ASSERT_FALSE(seq);
}

TEST_F(Subscriber, FilterIsAppliedAndOnEventAloneIsEnough) {
  start(supervisor_settings{});
  std::vector<std::string> got;
  subscription_filter filter;
  filter.agents = {"b"};
  track(spawn_subscriber(sys, sup, filter,
                         [&](const event& e) { got.push_back(e.agent); }));
  sched.run();
  idle_agent("a");
  idle_agent("b");
  EXPECT_EQ(got, (std::vector<std::string>{"b", "b"})); // registered, idle
}

TEST_F(Subscriber, EndsWhenTheSupervisorEnds) {
  start(supervisor_settings{});
  auto out = std::make_shared<seen>();
  auto subscriber = spawn_subscriber(sys, sup, subscription_request{}, recording(out));
  sched.run();
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.run();
  ASSERT_EQ(out->ends.size(), 1u);
  EXPECT_EQ(out->ends[0], caf::exit_reason::user_shutdown);
  EXPECT_TRUE(gone(subscriber));
}

TEST_F(Subscriber, AnExitToTheSubscriberReachesOnEndOnce) {
  start(supervisor_settings{});
  auto out = std::make_shared<seen>();
  auto subscriber = spawn_subscriber(sys, sup, subscription_request{}, recording(out));
  sched.run();
  caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown);
  sched.run();
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown); // its down finds nobody
  sched.run();
  ASSERT_EQ(out->ends.size(), 1u);
  EXPECT_EQ(out->ends[0], caf::exit_reason::user_shutdown);
  EXPECT_TRUE(gone(subscriber));
}

TEST_F(Subscriber, RefusedSubscriptionReachesOnEndAndTheActorQuits) {
  supervisor_settings cfg;
  cfg.max_subscribers = 1;
  start(cfg);
  track(spawn_subscriber(sys, sup, subscription_filter{}, [](const event&) {}));
  sched.run();
  auto out = std::make_shared<seen>();
  spawn_subscriber(sys, sup, subscription_request{}, recording(out));
  sched.run();
  ASSERT_EQ(out->ends.size(), 1u);
  EXPECT_EQ(code_of(out->ends[0]), errc::invalid_request);
  EXPECT_TRUE(out->snapshots.empty());
}

} // namespace
