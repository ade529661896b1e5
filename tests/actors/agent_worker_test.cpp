// The agent watches its worker: a worker that goes down ends the agent `failed` with
// `worker:<reason>`; the agent ends the worker it owns when it ends, however it ends,
// and leaves a shared one alive.
#include <stdexcept>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "agent_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using namespace vigil::test;

namespace {

using throw_atom = caf::atom_constant<caf::atom("throw")>;
using quit_atom = caf::atom_constant<caf::atom("quit")>;

// The user's work code, which can go wrong: throw, quit with an error, or quit.
caf::behavior fragile_worker(caf::event_based_actor* self) {
  return {
      [](work_atom, slot_kind, std::string&) {},
      [](throw_atom) { throw std::runtime_error("boom"); },
      [self](quit_atom, caf::error& why) { self->quit(std::move(why)); },
      [self](quit_atom) { self->quit(); },
  };
}

class AgentWorker : public Agent {
public:
  caf::actor worker() {
    auto w = track(sys.spawn(fragile_worker));
    sched.run();
    return w;
  }

  agent_actor agent_with(const caf::actor& w, std::string id = "a1", bool owns = true) {
    agent_options opts{std::move(id)};
    opts.worker = w;
    opts.owns_worker = owns;
    return spawn(std::move(opts));
  }

  /// Watches `a` (any handle).
  template <class Handle>
  watcher_state& watched(const Handle& a) {
    return state_of<watcher_state>(watch(caf::actor_cast<agent_actor>(a)));
  }
};

} // namespace

TEST_F(AgentWorker, AWorkerThatThrowsEndsTheAgentFailedWithItsReason) {
  auto w = worker();
  auto a = agent_with(w, "a7");
  ask<slot_outcome>(a, slot_atom::value, slot_kind::work, std::string{"t"});
  auto& seen = watched(a);
  caf::anon_send(w, throw_atom::value);
  sched.run();
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(code_of(seen.reason), errc::agent_failed);
  auto& last = recorded().reports.back();
  EXPECT_EQ(last.from, s::busy);
  EXPECT_EQ(last.to, s::failed);
  EXPECT_EQ(last.reason, "worker:runtime_error");
  // CAF 0.17 ends an actor that throws with `sec::runtime_error`, without the text.
  EXPECT_EQ(last.error, "worker exited: system_error(runtime_error)");
  EXPECT_EQ(sys.render(seen.reason),
            "vigil::agent_failed: agent \"a7\" failed: worker exited: "
            "system_error(runtime_error)");
}

TEST_F(AgentWorker, AWorkerThatQuitsWithAnErrorCodeEndsTheAgentFailed) {
  auto w = worker();
  auto a = agent_with(w);
  auto& seen = watched(a);
  caf::anon_send(w, quit_atom::value,
                 make_error(errc::bad_input, std::string{"tool"}, std::string{"x"}));
  sched.run();
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(code_of(seen.reason), errc::agent_failed);
  auto& last = recorded().reports.back();
  EXPECT_EQ(last.from, s::idle);
  EXPECT_EQ(last.to, s::failed);
  EXPECT_EQ(last.reason, "worker:bad_input");
  EXPECT_EQ(last.error, "worker exited: " +
                            sys.render(make_error(errc::bad_input, std::string{"tool"},
                                                  std::string{"x"})));
}

TEST_F(AgentWorker, AWorkerEndedByAnExitMessageEndsTheAgentFailed) {
  auto w = worker();
  auto a = agent_with(w);
  auto& seen = watched(a);
  caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  sched.run();
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(recorded().reports.back().to, s::failed);
  EXPECT_EQ(recorded().reports.back().reason, "worker:user_shutdown");
}

TEST_F(AgentWorker, AWorkerThatQuitsNormallyEndsTheAgentFailedToo) {
  auto w = worker();
  auto a = agent_with(w);
  auto& seen = watched(a);
  caf::anon_send(w, quit_atom::value);
  sched.run();
  ASSERT_TRUE(seen.down);
  EXPECT_EQ(code_of(seen.reason), errc::agent_failed);
  EXPECT_EQ(recorded().reports.back().to, s::failed);
  EXPECT_EQ(recorded().reports.back().reason, "worker:normal");
  EXPECT_EQ(recorded().reports.back().error.rfind("worker exited: ", 0), 0u);
}

TEST_F(AgentWorker, AWorkerDeadBeforeTheAgentStartsEndsItAtOnce) {
  auto w = worker();
  caf::anon_send(w, quit_atom::value);
  sched.run();
  auto a = agent_with(w);
  auto& seen = watched(a);
  EXPECT_TRUE(seen.down);
  EXPECT_EQ(recorded().reports.back().to, s::failed);
  EXPECT_EQ(recorded().reports.back().reason, "worker:normal");
}

namespace {

/// How an agent ends, in each of the ways it can.
enum class ending { complete, fail, kill, exit_message, refused };

} // namespace

class AgentEndsItsWorker : public AgentWorker,
                           public ::testing::WithParamInterface<ending> {};

TEST_P(AgentEndsItsWorker, WhenItEndsTheWorkerItOwnsIsGone) {
  if (GetParam() == ending::refused)
    recorded().refuse_registrations =
        make_error(errc::duplicate_agent, std::string{"a1"});
  auto w = worker();
  auto& worker_seen = state_of<watcher_state>(track(sys.spawn(watcher, w)));
  sched.run();
  auto a = agent_with(w);
  auto& agent_seen = watched(a);
  switch (GetParam()) {
  case ending::complete:
    EXPECT_FALSE(tell(a, complete_atom::value));
    break;
  case ending::fail:
    EXPECT_FALSE(tell(a, fail_atom::value, std::string{"x"}));
    break;
  case ending::kill:
    EXPECT_FALSE(tell(a, kill_atom::value));
    break;
  case ending::exit_message:
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
    break;
  case ending::refused:
    break; // ended as it started
  }
  sched.run();
  EXPECT_TRUE(agent_seen.down);
  ASSERT_TRUE(worker_seen.down);
  EXPECT_EQ(worker_seen.reason, caf::exit_reason::user_shutdown);
  // The agent reported its own end, not the worker's.
  for (auto& r : recorded().reports)
    EXPECT_EQ(r.reason.rfind("worker:", 0), std::string::npos) << r.reason;
}

INSTANTIATE_TEST_SUITE_P(EveryEnding, AgentEndsItsWorker,
                         ::testing::Values(ending::complete, ending::fail, ending::kill,
                                           ending::exit_message, ending::refused));

TEST_F(AgentWorker, ASharedWorkerOutlivesItsAgentsAndItsDeathFailsEachOfThem) {
  auto w = worker();
  auto& worker_seen = state_of<watcher_state>(track(sys.spawn(watcher, w)));
  sched.run();
  auto a1 = agent_with(w, "a1", false);
  auto a2 = agent_with(w, "a2", false);
  auto a3 = agent_with(w, "a3", false);
  EXPECT_FALSE(tell(a1, complete_atom::value));
  caf::anon_send_exit(a2, caf::exit_reason::user_shutdown);
  sched.run();
  EXPECT_FALSE(worker_seen.down); // not theirs to end
  auto& a3_seen = watched(a3);
  caf::anon_send(w, throw_atom::value);
  sched.run();
  ASSERT_TRUE(a3_seen.down);
  EXPECT_EQ(recorded().reports.back().reason, "worker:runtime_error");
}

TEST_F(AgentWorker, AnAgentWithoutAWorkerEndsAsBefore) {
  auto a = spawn();
  auto& seen = watched(a);
  EXPECT_FALSE(tell(a, kill_atom::value));
  EXPECT_TRUE(seen.down);
  EXPECT_EQ(seen.reason, caf::exit_reason::user_shutdown);
}
