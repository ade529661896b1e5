// Spawner offers at the supervisor (DESIGN §11, §12): checked, keyed to their node,
// one per node, bounded, and dropped when their spawner goes down.
#include <chrono>
#include <string>

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "support/restart_fixture.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

class SupervisorSpawnerOffer : public vigil::test::restart_fixture {
public:
  /// An actor that takes spawn requests and does nothing.
  spawner_actor quiet() {
    auto a = track(sys.spawn([]() -> caf::behavior {
      return {[](spawn_request&) {
      }};
    }));
    return caf::actor_cast<spawner_actor>(a);
  }

  caf::error offer(const std::string& node, spawner_actor sp, std::string key = {}) {
    return tell(sup, spawner_offer{node, {"worker"}, credential{key}, std::move(sp)});
  }
};

} // namespace

TEST_F(SupervisorSpawnerOffer, AMalformedOfferIsRefused) {
  start(cfg);
  EXPECT_EQ(code_of(offer("", quiet())), errc::bad_input);
  EXPECT_EQ(code_of(offer("n1", spawner_actor{})), errc::bad_input);
  EXPECT_EQ(stats().spawners, 0u);
}

TEST_F(SupervisorSpawnerOffer, AKeyedNodeMustShowItsKey) {
  start(cfg);
  auto p = puppet();
  registration x;
  x.id = "a1";
  x.node = "n1";
  x.node_key = credential{"secret-of-n1"};
  send_registration(p, x);
  ASSERT_FALSE(last_reply(p));
  EXPECT_EQ(code_of(offer("n1", quiet())), errc::unauthorized);
  EXPECT_EQ(code_of(offer("n1", quiet(), "wrong")), errc::unauthorized);
  EXPECT_FALSE(offer("n1", quiet(), "secret-of-n1"));
  EXPECT_FALSE(offer("n2", quiet())); // a node with no key pinned
  EXPECT_EQ(stats().spawners, 2u);
}

TEST_F(SupervisorSpawnerOffer, OneOfferPerNodeUpToTheBound) {
  start(cfg);
  auto sp = quiet();
  for (int i = 0; i < 4096; ++i)
    ASSERT_FALSE(offer("n" + std::to_string(i), sp)) << i;
  EXPECT_EQ(stats().spawners, 4096u);
  EXPECT_EQ(code_of(offer("n4096", sp)), errc::invalid_request);
  EXPECT_FALSE(offer("n7", quiet())); // a node's new offer replaces its old one
  EXPECT_EQ(stats().spawners, 4096u);
}

TEST_F(SupervisorSpawnerOffer, AnOfferEndsWithItsSpawner) {
  start(cfg);
  auto a = quiet();
  auto b = quiet();
  ASSERT_FALSE(offer("n1", a));
  ASSERT_FALSE(offer("n2", a));
  ASSERT_FALSE(offer("n3", b));
  EXPECT_EQ(stats().spawners, 3u);
  caf::anon_send_exit(a, caf::exit_reason::kill);
  sched.run();
  EXPECT_EQ(stats().spawners, 1u);
  // The replaced offer's spawner going down does not end the node's new offer.
  ASSERT_FALSE(offer("n3", quiet()));
  caf::anon_send_exit(b, caf::exit_reason::kill);
  sched.run();
  EXPECT_EQ(stats().spawners, 1u);
}
