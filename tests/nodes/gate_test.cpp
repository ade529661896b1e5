// The gate of a published supervisor (DESIGN §11): what each role may do, and
// what a peer receives.
#include "nodes/gate_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::commander_secret;
using vigil::test::eventually;
using vigil::test::Gate;
using vigil::test::spy;
using s = agent_state;

TEST_F(Gate, NothingAPeerReceivesCarriesTheSupervisorsOwnHandle) {
  start(credential{commander_secret});
  ASSERT_NE(caf::actor_cast<caf::actor_addr>(gate).id(), sup.id());
  enlist("victim");
  auto s1 = peer.spawn(spy, gate);
  uint64_t answers = 0, events = 0, bad = 0;
  caf::scoped_actor self{peer};
  EXPECT_TRUE(eventually(
      [&] {
        self->request(s1, 2s, get_atom::value, home.node(), sup.id())
            .receive(
                [&](uint64_t a, uint64_t e, uint64_t b) {
                  answers = a;
                  events = e;
                  bad = b;
                },
                [](caf::error&) {});
        return answers >= 8 && events >= 2; // spy-1 registered and went idle
      },
      10s))
      << answers << " answers, " << events << " events";
  // A command, answered through the gate too.
  EXPECT_FALSE(
      ask_void(kill_atom::value, std::string{"victim"}, credential{commander_secret}));
  EXPECT_EQ(status("victim").state, s::killed);
  EXPECT_EQ(bad, 0u) << "a peer got a message from the supervisor itself";
  // Never serialised to the peer, so no peer can name it by its id.
  EXPECT_EQ(home.registry().get(sup.id()), nullptr);
  caf::anon_send_exit(s1, caf::exit_reason::user_shutdown);
}

TEST_F(Gate, CommandsNeedTheCommanderCredentialAndObserversCannotCommand) {
  start(credential{commander_secret});
  enlist("w-1");
  for (auto cred : {credential{}, credential{"not-the-commander-credential"}}) {
    auto err = ask_void(kill_atom::value, std::string{"w-1"}, cred);
    EXPECT_EQ(code_of(err), errc::unauthorized) << peer.render(err);
    EXPECT_EQ(code_of(ask_void(pause_atom::value, std::string{"w-1"}, cred)),
              errc::unauthorized);
    EXPECT_EQ(code_of(ask_void(resume_atom::value, std::string{"w-1"}, cred)),
              errc::unauthorized);
  }
  // Untyped, as an observer would try: the plain supervisor commands do not exist here.
  caf::scoped_actor self{peer};
  self->send(caf::actor_cast<caf::actor>(gate), kill_atom::value, std::string{"w-1"});
  self->send(caf::actor_cast<caf::actor>(gate), pause_atom::value, std::string{"w-1"});
  EXPECT_EQ(status("w-1").state, s::busy);
  EXPECT_FALSE(status("w-1").paused);
  EXPECT_FALSE(
      ask_void(pause_atom::value, std::string{"w-1"}, credential{commander_secret}));
  EXPECT_TRUE(status("w-1").paused);
  EXPECT_FALSE(
      ask_void(kill_atom::value, std::string{"w-1"}, credential{commander_secret}));
  EXPECT_EQ(status("w-1").state, s::killed);
}

TEST_F(Gate, WithoutACommanderCredentialEveryCommandIsRefusedOnLoopbackToo) {
  start(credential{});
  enlist("w-1");
  auto err = ask_void(kill_atom::value, std::string{"w-1"},
                      credential{"any-credential-at-all-1234"});
  EXPECT_EQ(code_of(err), errc::unauthorized);
  EXPECT_NE(peer.render(err).find("no commander credential is configured"),
            std::string::npos)
      << peer.render(err);
  EXPECT_EQ(status("w-1").state, s::busy);
}

TEST_F(Gate, AnAgentNodeCannotSteerAgentsItDoesNotOwn) {
  start(credential{commander_secret});
  auto victim = enlist("victim");
  auto mine = enlist("mine");
  auto before = status("victim");
  auto untyped = caf::actor_cast<caf::actor>(gate);
  caf::scoped_actor self{peer};
  // Commands without the credential; the supervisor's internal messages with keys
  // guessed from its own (life << 32 | slot); a report, a beat and batched beats for
  // the victim without its proofs.
  EXPECT_EQ(code_of(ask_void(kill_atom::value, std::string{"victim"}, credential{})),
            errc::unauthorized);
  EXPECT_EQ(code_of(ask_void(pause_atom::value, std::string{"victim"}, credential{})),
            errc::unauthorized);
  EXPECT_EQ(code_of(ask_void(resume_atom::value, std::string{"victim"}, credential{})),
            errc::unauthorized);
  // Untyped, the supervisor's own command shapes (no credential): not accepted here.
  for (auto id : {"victim", "mine"}) {
    self->send(untyped, kill_atom::value, std::string{id});
    self->send(untyped, pause_atom::value, std::string{id});
    self->send(untyped, resume_atom::value, std::string{id});
  }
  // (Deadline and watchdog messages carry steady-clock time points, which CAF cannot
  // even serialise: a peer cannot send them at all.)
  for (auto key : {mine.key - 1, mine.key + 1, victim.key})
    self->send(untyped, purge_atom::value, key);
  self->send(untyped, caf::flush_atom::value);
  transition_report rep;
  rep.id = "victim";
  rep.token = mine.token; // a token, but not the victim's
  rep.from = s::busy;
  rep.to = s::failed;
  rep.version = 9;
  EXPECT_EQ(code_of(ask_void(rep)), errc::unauthorized);
  self->send(gate, heartbeat{"victim", mine.beat_secret, s::idle, 9});
  beat_batch forged;
  for (uint64_t guess = 0; guess < 100; ++guess)
    forged.beats.push_back(paced_beat{victim.key, guess, s::idle, 9});
  self->send(gate, forged);
  // Exit messages, even of reason kill (which CAF lets no handler trap): a peer can
  // send them to the gate; it ends with its supervisor only.
  caf::anon_send_exit(untyped, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(untyped, caf::exit_reason::kill);
  auto after = status("victim");
  EXPECT_EQ(after.state, s::busy);
  EXPECT_EQ(after.version, before.version);
  EXPECT_EQ(after.last_beat, before.last_beat);
  EXPECT_FALSE(after.paused);
  auto c = ask<fleet_counts>(count_atom::value);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->registered, 2u);
}

TEST_F(Gate, OutOfRangeValuesAndOverLongIdsAreRefusedAndNeverStored) {
  start(credential{commander_secret});
  auto mine = enlist("mine");
  auto before = ask<supervisor_stats>(stats_atom::value);
  ASSERT_TRUE(before);
  registration reg;
  reg.id = "bad-state";
  reg.state = static_cast<agent_state>(200);
  EXPECT_EQ(code_of(ask<registration_ack>(reg).error()), errc::bad_input);
  reg.id = std::string(max_name_bytes + 1, 'x');
  reg.state = s::spawning;
  auto err = ask<registration_ack>(reg).error();
  EXPECT_EQ(code_of(err), errc::bad_input);
  EXPECT_NE(peer.render(err).find("at most 256 bytes"), std::string::npos)
      << peer.render(err);
  reg.id = "";
  EXPECT_EQ(code_of(ask<registration_ack>(reg).error()), errc::bad_input);
  reg.id = "long-type";
  reg.type = std::string(5000, 't');
  EXPECT_EQ(code_of(ask<registration_ack>(reg).error()), errc::bad_input);
  transition_report rep;
  rep.id = "mine";
  rep.token = mine.token;
  rep.from = s::busy;
  rep.to = static_cast<agent_state>(42);
  rep.version = 3;
  EXPECT_EQ(code_of(ask_void(rep)), errc::bad_input);
  caf::scoped_actor self{peer};
  self->send(gate,
             heartbeat{"mine", mine.beat_secret, static_cast<agent_state>(99), 3});
  beat_batch big;
  big.beats.resize(max_batch_beats + 1,
                   paced_beat{mine.key, mine.beat_secret, s::busy, 3});
  self->send(gate, big);
  // Nothing stored or broadcast: no record, no event, the agent as it was.
  auto after = ask<supervisor_stats>(stats_atom::value);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->agents, 1u);
  EXPECT_EQ(after->last_seq, before->last_seq);
  EXPECT_EQ(status("mine").state, s::busy);
  for (auto id : {"bad-state", "long-type"})
    EXPECT_EQ(code_of(ask<agent_status>(status_atom::value, std::string{id}).error()),
              errc::unknown_agent);
}

TEST_F(Gate, ARemotePacersLatenessReachesTheSupervisorAndOutOfRangeIsRefused) {
  start(credential{commander_secret});
  auto mine = enlist("mine", "far-node");
  caf::scoped_actor self{peer};
  auto send_batch = [&](duration lateness) {
    beat_batch b;
    b.beats.push_back(paced_beat{mine.key, mine.beat_secret, s::busy, 2});
    b.lateness = lateness;
    self->send(gate, std::move(b));
  };
  auto lateness_seen = [&] {
    auto x = ask<supervisor_stats>(stats_atom::value);
    return x ? x->worst_node_lateness : duration{-1};
  };
  send_batch(3s); // the far node's pacer says its beats run 3 s late
  EXPECT_TRUE(eventually([&] { return lateness_seen() == 3s; }, 10s));
  auto x = ask<supervisor_stats>(stats_atom::value);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->overloaded_nodes, 1u); // past the 2 s lag_grace
  // Out of range: refused whole, beats and lateness alike.
  send_batch(-1s);
  send_batch(std::chrono::hours(24 * 400));
  send_batch(500ms); // in range: the figure follows it
  EXPECT_TRUE(eventually([&] { return lateness_seen() == 500ms; }, 10s));
  x = ask<supervisor_stats>(stats_atom::value);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->peak_node_lateness, 3s); // nothing larger got through
  EXPECT_EQ(x->overloaded_nodes, 0u);
}
