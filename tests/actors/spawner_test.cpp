// A node's spawner in virtual time against a recording supervisor (DESIGN §12): its
// offer, the lives it starts (vigil's agents and the user's own actors), what it
// refuses, and how it ends what it started.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <caf/send.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include "agent_fixture.hpp"
#include "user_actor.hpp"
#include "vigil/actors/spawner.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/messages/node_shutdown.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using namespace vigil::test;

namespace {

class Spawner : public Agent {
public:
  Spawner() {
    before_ = vigil::log();
    auto mine = std::make_shared<spdlog::logger>("vigil", sink);
    mine->set_level(spdlog::level::debug);
    set_log(mine);
  }

  ~Spawner() override { set_log(before_); }

  static spawner_options options() {
    spawner_options o;
    o.node = "n1";
    o.types = {"coder", "tester"};
    o.node_key = credential{"node-key-0123456789abcdef"};
    return o;
  }

  /// Every life is killed when the test ends, as what the fixture spawned is (a life
  /// left beating keeps the test clock from stopping).
  spawner_options tracking(spawner_options o) {
    o.on_spawned = [this, then = std::move(o.on_spawned)](const std::string& id,
                                                          const caf::actor& life) {
      track(life);
      if (then)
        then(id, life);
    };
    return o;
  }

  node_spawner_actor start(spawner_options o, agent_factory f) {
    o = tracking(std::move(o));
    auto x = spawn_spawner(sys, sup, std::move(o), std::move(f));
    EXPECT_TRUE(x) << sys.render(x.error());
    auto h = track(*x);
    sched.run();
    return h;
  }

  node_spawner_actor start(spawner_options o, actor_factory f) {
    o = tracking(std::move(o));
    auto x = spawn_spawner(sys, sup, std::move(o), std::move(f));
    EXPECT_TRUE(x) << sys.render(x.error());
    auto h = track(*x);
    sched.run();
    return h;
  }

  /// Sends `req` as the supervisor does: without a sender.
  void request(const node_spawner_actor& sp, spawn_request req) {
    caf::anon_send(sp, std::move(req));
    sched.run();
  }

  spawner_view view_of(const node_spawner_actor& sp) {
    auto v = ask<spawner_view>(sp, get_atom::value);
    EXPECT_TRUE(v) << sys.render(v.error());
    return v ? *v : spawner_view{};
  }

  /// Whether a logged line contains `text`.
  bool logged(const std::string& text) {
    for (auto& line : sink->last_formatted())
      if (line.find(text) != std::string::npos)
        return true;
    return false;
  }

  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(32);

private:
  std::shared_ptr<spdlog::logger> before_;
};

/// Options with a worker of its own per life; the rest left for the spawner to fill.
agent_factory plain_agents() {
  return [](const std::string&, const std::string&) -> caf::expected<agent_options> {
    return agent_options{};
  };
}

} // namespace

TEST_F(Spawner, OffersItselfToTheSupervisorWithItsNodeTypesAndKey) {
  auto sp = start(options(), plain_agents());
  auto& offers = recorded().offers;
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].node, "n1");
  EXPECT_EQ(offers[0].types, (std::vector<std::string>{"coder", "tester"}));
  EXPECT_EQ(offers[0].node_key.secret, "node-key-0123456789abcdef");
  EXPECT_EQ(offers[0].spawner, caf::actor_cast<spawner_actor>(sp));
  auto v = view_of(sp);
  EXPECT_EQ(v.offer, offer_state::accepted);
  EXPECT_EQ(v.offers, 1u);
}

TEST_F(Spawner, ARefusedOfferIsLoggedShownAndPassedOn) {
  recorded().refuse_offers =
      make_error(errc::unauthorized, std::string{"spawner offer"},
                 std::string{"not the node's key"});
  std::vector<caf::error> seen;
  auto o = options();
  o.on_refused = [&](const caf::error& err) {
    seen.push_back(err);
  };
  auto sp = start(o, plain_agents());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(code_of(seen[0]), errc::unauthorized);
  auto v = view_of(sp);
  EXPECT_EQ(v.offer, offer_state::refused);
  EXPECT_NE(v.offer_error.find("not the node's key"), std::string::npos)
      << v.offer_error;
  EXPECT_TRUE(logged("the supervisor refused its offer"));
}

TEST_F(Spawner, ARequestStartsARegisteringAgentWithTheRequestedIdTypeAndItsNode) {
  std::vector<std::string> spawned;
  auto o = options();
  o.on_spawned = [&](const std::string& id, const caf::actor& life) {
    EXPECT_TRUE(life);
    spawned.push_back(id);
  };
  auto sp = start(o, plain_agents());
  request(sp, spawn_request{"coder-7", "coder", 4, 1, "crashed"});
  auto& regs = recorded().registrations;
  ASSERT_EQ(regs.size(), 1u);
  EXPECT_EQ(regs[0].id, "coder-7");
  EXPECT_EQ(regs[0].type, "coder");
  EXPECT_EQ(regs[0].node, "n1");
  EXPECT_EQ(regs[0].node_key.secret, "node-key-0123456789abcdef");
  EXPECT_TRUE(regs[0].token.empty()); // a new life: no proof of an old one
  EXPECT_EQ(spawned, (std::vector<std::string>{"coder-7"}));
  // It is an agent like any other: idle once registered, beating.
  ASSERT_FALSE(recorded().reports.empty());
  EXPECT_EQ(recorded().reports.back().to, s::idle);
  auto v = view_of(sp);
  EXPECT_EQ(v.spawned, 1u);
  EXPECT_EQ(v.running, 1u);
  EXPECT_TRUE(logged("started a new life of coder-7 (type coder, attempt 1, after "
                     "crashed)"));
}

TEST_F(Spawner, ARequestForATypeItDoesNotOfferIsRefusedAndNothingStarts) {
  bool called = false;
  auto sp = start(
      options(),
      [&](const std::string&, const std::string&) -> caf::expected<agent_options> {
        called = true;
        return agent_options{};
      });
  request(sp, spawn_request{"ops-1", "ops", 1, 1, "crashed"});
  EXPECT_FALSE(called);
  EXPECT_TRUE(recorded().registrations.empty());
  auto v = view_of(sp);
  EXPECT_EQ(v.refused, 1u);
  EXPECT_EQ(v.spawned, 0u);
  EXPECT_TRUE(logged("type ops of ops-1 is not offered here"));
}

TEST_F(Spawner, BadValuesInARequestAreRefused) {
  auto sp = start(options(), plain_agents());
  request(sp, spawn_request{"", "coder", 1, 1, "crashed"});
  request(sp, spawn_request{std::string(1000, 'x'), "coder", 1, 1, "crashed"});
  request(sp, spawn_request{"a\x01", "coder", 1, 1, "crashed"});
  EXPECT_TRUE(recorded().registrations.empty());
  EXPECT_EQ(view_of(sp).refused, 3u);
  // One line a second for one reason, whatever a peer sends.
  size_t lines = 0;
  for (auto& line : sink->last_formatted())
    lines += line.find("refused a spawn request") != std::string::npos ? 1 : 0;
  EXPECT_EQ(lines, 1u);
}

TEST_F(Spawner, AFactoryErrorOrExceptionIsLoggedWithTheIdAndNothingStarts) {
  auto sp = start(
      options(),
      [](const std::string& id, const std::string&) -> caf::expected<agent_options> {
        if (id == "coder-1")
          return make_error(errc::bad_config, std::string{"coder-1"},
                            std::string{"no workspace left"});
        throw std::runtime_error("disk full");
      });
  request(sp, spawn_request{"coder-1", "coder", 1, 1, "crashed"});
  EXPECT_TRUE(logged("no new life of coder-1 (type coder, attempt 1)"));
  EXPECT_TRUE(logged("no workspace left"));
  advance(1s); // the log limiter's second: the next line is written too
  request(sp, spawn_request{"coder-2", "coder", 1, 2, "crashed"});
  EXPECT_TRUE(logged("no new life of coder-2 (type coder, attempt 2)"));
  EXPECT_TRUE(logged("the factory threw: disk full"));
  EXPECT_TRUE(recorded().registrations.empty());
  auto v = view_of(sp);
  EXPECT_EQ(v.failed, 2u);
  EXPECT_EQ(v.running, 0u);
}

TEST_F(Spawner, AFactoryThatNamesAnotherIdOrNodeIsAnError) {
  auto sp = start(options(),
                  [](const std::string& id,
                     const std::string& type) -> caf::expected<agent_options> {
                    if (id == "a")
                      return agent_options{"b", type};
                    return agent_options{id, type, "elsewhere"};
                  });
  request(sp, spawn_request{"a", "coder", 1, 1, "crashed"});
  request(sp, spawn_request{"c", "coder", 1, 1, "crashed"});
  EXPECT_TRUE(recorded().registrations.empty());
  EXPECT_EQ(view_of(sp).failed, 2u);
  EXPECT_TRUE(logged("gave id \"b\" where \"a\" was asked"));
}

TEST_F(Spawner, ARequestFromANamedActorOfItsOwnProcessIsTaken) {
  auto sp = start(options(), plain_agents());
  // (One of another process is refused: tests/nodes, with two actor systems.)
  caf::scoped_actor local{sys};
  local->send(sp, spawn_request{"coder-1", "coder", 1, 1, "crashed"});
  sched.run();
  EXPECT_EQ(recorded().registrations.size(), 1u);
}

TEST_F(Spawner, AnActorFactoryStartsTheUsersOwnActorAsTheAttachedAgent) {
  auto sp = start(
      options(),
      [](caf::actor_system& sys, agent_facing_supervisor sup, const std::string& id,
         const std::string& type) -> caf::expected<caf::actor> {
        return sys.spawn(user_actor, std::move(sup), agent_options{id, type, "n1"});
      });
  request(sp, spawn_request{"tester-3", "tester", 2, 1, "watchdog"});
  auto& regs = recorded().registrations;
  ASSERT_EQ(regs.size(), 1u);
  EXPECT_EQ(regs[0].id, "tester-3");
  EXPECT_EQ(regs[0].type, "tester");
  EXPECT_EQ(regs[0].node, "n1");
  EXPECT_EQ(view_of(sp).running, 1u);
}

TEST_F(Spawner, HandedANewSupervisorItOffersAgainAndItsLivesRegisterThere) {
  auto sp = start(options(), plain_agents());
  request(sp, spawn_request{"coder-1", "coder", 1, 1, "crashed"});
  auto other = track(vigil::test::spawn_recording_supervisor(sys));
  sched.run();
  caf::scoped_actor uplink{sys}; // a local sender, as a node's uplink is
  uplink->send(sp, supervisor_atom::value, other);
  sched.run();
  auto& there = state_of<recording_supervisor_state>(other);
  ASSERT_EQ(there.offers.size(), 1u);
  EXPECT_EQ(there.offers[0].node, "n1");
  ASSERT_EQ(there.registrations.size(), 1u);
  EXPECT_EQ(there.registrations[0].id, "coder-1");
  EXPECT_EQ(there.registrations[0].state, s::idle); // kept its state
  // New lives go to the new supervisor.
  request(sp, spawn_request{"coder-2", "coder", 1, 1, "crashed"});
  EXPECT_EQ(there.registrations.size(), 2u);
  EXPECT_EQ(recorded().registrations.size(), 1u);
  // An anonymous handle is ignored: only its node's uplink hands it one.
  caf::anon_send(sp, supervisor_atom::value, sup);
  sched.run();
  EXPECT_EQ(recorded().offers.size(), 1u);
}

TEST_F(Spawner, StoppingItEndsItsLivesWithNodeShutdownAndThenQuits) {
  std::vector<caf::actor> lives;
  auto o = options();
  o.on_spawned = [&](const std::string&, const caf::actor& life) {
    lives.push_back(life);
  };
  auto sp = start(o, plain_agents());
  request(sp, spawn_request{"coder-1", "coder", 1, 1, "crashed"});
  ASSERT_EQ(lives.size(), 1u);
  auto reports = recorded().reports.size();
  auto w_life = track(sys.spawn(watcher, lives[0]));
  auto w_sp = track(sys.spawn(watcher, caf::actor_cast<caf::actor>(sp)));
  sched.run();
  caf::scoped_actor fleet{sys}; // as a fleet_scope's agents stage does
  fleet->send_exit(sp, caf::exit_reason::user_shutdown);
  sched.run();
  auto& life_end = state_of<watcher_state>(w_life);
  ASSERT_TRUE(life_end.down);
  EXPECT_TRUE(is_node_shutdown(life_end.reason)) << sys.render(life_end.reason);
  EXPECT_EQ(sys.render(life_end.reason), "vigil::node_shutdown: node n1 shuts down");
  // The life reported nothing more: the supervisor's down message says why.
  EXPECT_EQ(recorded().reports.size(), reports);
  auto& sp_end = state_of<watcher_state>(w_sp);
  ASSERT_TRUE(sp_end.down);
  EXPECT_EQ(sp_end.reason, caf::exit_reason::user_shutdown);
  EXPECT_TRUE(logged("stopping; ending 1 life it started"));
}

TEST_F(Spawner, BadOptionsAreRefusedAtSpawn) {
  auto o = options();
  o.types.clear();
  EXPECT_EQ(code_of(spawn_spawner(sys, sup, o, plain_agents()).error()),
            errc::bad_config);
  o = options();
  o.node.clear();
  EXPECT_FALSE(spawn_spawner(sys, sup, o, plain_agents()));
  EXPECT_EQ(
      code_of(spawn_spawner(sys, agent_facing_supervisor{}, options(), plain_agents())
                  .error()),
      errc::bad_config);
  EXPECT_EQ(code_of(spawn_spawner(sys, sup, options(), agent_factory{}).error()),
            errc::bad_config);
}

TEST_F(Spawner, WhatItDoesNotTakeIsDroppedWithALogLine) {
  auto sp = start(options(), plain_agents());
  for (int i = 0; i < 3; ++i)
    caf::anon_send(caf::actor_cast<caf::actor>(sp), i);
  sched.run();
  size_t lines = 0;
  for (auto& line : sink->last_formatted())
    lines += line.find("dropped a message it does not take") != std::string::npos;
  EXPECT_EQ(lines, 1u);                                // a line a second
  EXPECT_EQ(view_of(sp).offer, offer_state::accepted); // and it goes on
}
