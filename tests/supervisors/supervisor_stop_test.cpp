// The supervisor's orderly stop (`stop_atom`) in virtual time: local agents end as
// `node_shutdown`, a second caller waits for the same end, and a stop that cannot end
// in order answers with an error exactly at its deadline.
#include <chrono>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "support/supervisor_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

class SupervisorStop : public vigil::test::supervisor_fixture {
public:
  /// Registers `id` with `owner` as its actor (as a gate relays it).
  void register_owned(const std::string& id, const caf::actor& owner) {
    registration reg;
    reg.id = id;
    auto ack = ask<registration_ack>(sup, reg, owner);
    ASSERT_TRUE(ack) << sys.render(ack.error());
  }
};

caf::behavior stubborn(caf::event_based_actor* self) {
  self->set_exit_handler([](caf::exit_msg&) {}); // an exit does not end it
  return {[](int) {
  }};
}

TEST_F(SupervisorStop, LocalAgentsEndAsNodeShutdownAndTheAnswerHasTheFigures) {
  start(supervisor_settings{});
  auto c = collector();
  idle_agent("a1");
  idle_agent("a2");
  auto stats = ask<supervisor_stats>(sup, stop_atom::value);
  ASSERT_TRUE(stats) << sys.render(stats.error());
  size_t ends = 0;
  for (auto& e : events_of(c))
    if (e.to == agent_state::killed) {
      EXPECT_EQ(e.reason, "node_shutdown");
      ++ends;
    }
  EXPECT_EQ(ends, 2u);
  EXPECT_EQ(stats->last_seq, events_of(c).back().seq);
}

TEST_F(SupervisorStop, AStopThatCannotEndInOrderAnswersAnErrorExactlyAtItsDeadline) {
  supervisor_settings cfg;
  cfg.store.reply_timeout = 1s; // the grace: reply_timeout + 5 s
  start(cfg);
  auto holdout = track(sys.spawn(stubborn));
  register_owned("holdout", holdout);
  caf::scoped_actor self{sys};
  auto pending = self->request(sup, caf::infinite, stop_atom::value);
  sched.run();
  advance(6s - 1ns);
  bool answered = false;
  self->receive([&](caf::message&) { answered = true; }, caf::after(0s) >> [] {});
  EXPECT_FALSE(answered) << "answered before its deadline";
  advance(1ns);
  caf::error err;
  pending.receive([](supervisor_stats&) {}, [&](caf::error& x) { err = x; });
  ASSERT_TRUE(err);
  EXPECT_NE(sys.render(err).find("1 agent actors of this process had not ended"),
            std::string::npos)
      << sys.render(err);
}

TEST_F(SupervisorStop, ASecondStopWaitsForTheSameEnd) {
  start(supervisor_settings{});
  auto holdout = track(sys.spawn(stubborn));
  register_owned("holdout", holdout);
  caf::scoped_actor first{sys};
  caf::scoped_actor second{sys};
  auto one = first->request(sup, caf::infinite, stop_atom::value);
  auto two = second->request(sup, caf::infinite, stop_atom::value);
  sched.run();
  caf::anon_send_exit(holdout, caf::exit_reason::kill); // now it can end
  sched.run();
  int answers = 0;
  one.receive([&](supervisor_stats&) { ++answers; }, [](caf::error&) {});
  two.receive([&](supervisor_stats&) { ++answers; }, [](caf::error&) {});
  EXPECT_EQ(answers, 2);
}

} // namespace
