// Spawners across nodes (DESIGN §11, §12): the gate forwards a node's offer of its own
// spawner and refuses the rest; a spawner takes requests without a sender (the
// supervisor's) and refuses those of a named actor of another process.
#include "nodes/gate_fixture.hpp"
#include "vigil/actors/spawner.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::eventually;
using vigil::test::Gate;

namespace {

/// A spawner stand-in that takes nothing: only its handle matters to an offer.
caf::behavior silent_spawner(caf::event_based_actor*) {
  return {[](spawn_request&) {
  }};
}

spawner_offer offer_of(std::string node, spawner_actor sp) {
  return spawner_offer{std::move(node), {"coder"}, credential{}, std::move(sp)};
}

} // namespace

TEST_F(Gate, AnOfferOfTheNodesOwnSpawnerPassesAndOthersAreRefused) {
  start(credential{});
  auto own = caf::actor_cast<spawner_actor>(peer.spawn(silent_spawner));
  // Its own spawner: past the gate, the supervisor decides (before the restart
  // engine it refuses every offer with invalid_request; then it accepts this one).
  auto err = ask_void(offer_of("peer", own));
  EXPECT_NE(code_of(err), errc::bad_input) << peer.render(err);
  EXPECT_NE(code_of(err), errc::unauthorized) << peer.render(err);
  // Bad values never reach it.
  auto no_types = offer_of("peer", own);
  no_types.types.clear();
  EXPECT_EQ(code_of(ask_void(no_types)), errc::bad_input);
  EXPECT_EQ(code_of(ask_void(offer_of("", own))), errc::bad_input);
  EXPECT_EQ(code_of(ask_void(offer_of("peer", spawner_actor{}))), errc::bad_input);
  // An actor of the supervisor's own node that a peer can name (the gate: it was
  // published): refused, so the supervisor never asks a local actor a peer chose.
  // (An actor of that node never serialised there arrives as none: refused above.)
  auto home_actor = caf::actor_cast<spawner_actor>(gate);
  err = ask_void(offer_of("peer", home_actor));
  EXPECT_EQ(code_of(err), errc::bad_input) << peer.render(err);
  EXPECT_NE(peer.render(err).find("an actor of the offering node"), std::string::npos)
      << peer.render(err);
  caf::anon_send_exit(own, caf::exit_reason::user_shutdown);
}

TEST_F(Gate, ASpawnerRefusesARequestFromANamedActorOfAnotherProcess) {
  start(credential{});
  spawner_options o;
  o.node = "peer";
  o.types = {"coder"};
  auto sp = spawn_spawner(
      peer, gate, o,
      [](const std::string&, const std::string&) -> caf::expected<agent_options> {
        return agent_options{};
      });
  ASSERT_TRUE(sp) << peer.render(sp.error());
  auto view = [&] {
    caf::scoped_actor self{peer};
    spawner_view v;
    self->request(*sp, 5s, get_atom::value)
        .receive([&](spawner_view& x) { v = x; },
                 [&](caf::error& e) { ADD_FAILURE() << peer.render(e); });
    return v;
  };
  // The offer went through the gate and was answered (either way, never silently).
  EXPECT_TRUE(eventually([&] { return view().offer != offer_state::pending; }, 10s));
  {
    caf::scoped_actor stranger{home}; // a named actor of another process
    stranger->send(caf::actor_cast<caf::actor>(*sp),
                   spawn_request{"coder-1", "coder", 1, 1, "crashed"});
  }
  EXPECT_TRUE(eventually([&] { return view().refused == 1; }, 10s));
  EXPECT_EQ(view().spawned, 0u);
  // The supervisor's way: no sender. The new life registers through the gate.
  caf::anon_send(caf::actor_cast<caf::actor>(*sp),
                 spawn_request{"coder-2", "coder", 1, 1, "crashed"});
  EXPECT_TRUE(eventually([&] { return view().spawned == 1; }, 10s));
  // Until it registered, the supervisor does not know the id: ask without `status`,
  // which counts an unknown id as a failure.
  EXPECT_TRUE(eventually(
      [&] {
        auto x = ask<agent_status>(status_atom::value, std::string{"coder-2"});
        return x && x->state == agent_state::idle;
      },
      10s));
  EXPECT_EQ(status("coder-2").node, "peer");
  // Its stop ends the life it started (node_shutdown), then itself: bounded, so that a
  // spawner that never stops fails here instead of hanging the suite.
  caf::scoped_actor self{peer};
  self->monitor(*sp);
  self->send_exit(*sp, caf::exit_reason::user_shutdown);
  bool stopped = false;
  self->receive([&](caf::down_msg&) { stopped = true; }, caf::after(10s) >> [] {});
  EXPECT_TRUE(stopped) << "the spawner did not stop within 10 s";
  EXPECT_TRUE(eventually(
      [&] {
        auto x = ask<agent_status>(status_atom::value, std::string{"coder-2"});
        return x && x->state == agent_state::killed;
      },
      10s));
}

// DESIGN §11: an agent node offers for its own node only. A process that offers for
// one node name cannot make up more (each would attract `placement: any` restarts as
// a node with no live agents); its own node's offer may be renewed, and once its
// spawner is gone the process may offer for another name.
TEST_F(Gate, AProcessOffersForOneNodeNameOnly) {
  start(credential{});
  auto first = caf::actor_cast<spawner_actor>(peer.spawn(silent_spawner));
  auto second = caf::actor_cast<spawner_actor>(peer.spawn(silent_spawner));
  ASSERT_FALSE(ask_void(offer_of("peer", first)));
  for (auto& sp : {first, second}) {
    auto err = ask_void(offer_of("made-up", sp));
    EXPECT_EQ(code_of(err), errc::unauthorized) << peer.render(err);
    EXPECT_NE(peer.render(err).find("offers for node peer already"), std::string::npos)
        << peer.render(err);
  }
  EXPECT_FALSE(ask_void(offer_of("peer", second))); // its own node: renewed
  caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(second, caf::exit_reason::user_shutdown);
  auto third = caf::actor_cast<spawner_actor>(peer.spawn(silent_spawner));
  caf::error err;
  EXPECT_TRUE(
      eventually([&] { return !(err = ask_void(offer_of("renamed", third))); }, 10s))
      << peer.render(err);
  caf::anon_send_exit(third, caf::exit_reason::user_shutdown);
}
