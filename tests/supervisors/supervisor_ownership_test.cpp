// Who may take an id (DESIGN §11): the proofs a registration answer hands out, a lost
// life's id going only to its token or its node's key, node keys pinned, and values
// out of range refused, in virtual time.
#include <algorithm>
#include <chrono>

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/system_messages.hpp>

#include "support/supervisor_fixture.hpp"
#include "vigil/messages/errc.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;

namespace {

class SupervisorOwnership : public vigil::test::supervisor_fixture {
public:
  SupervisorOwnership() { start({}); }
};

} // namespace

namespace {

registration claim(const std::string& id, const std::string& node,
                   const std::string& key = {}, agent_state state = s::spawning) {
  registration x;
  x.id = id;
  x.node = node;
  x.state = state;
  x.node_key = credential{key};
  return x;
}

} // namespace

TEST_F(SupervisorOwnership, ARegistrationAnswerCarriesFreshProofsAndTheTypesInterval) {
  supervisor_settings cfg;
  cfg.heartbeat.interval = 4s;
  cfg.types["slow"].heartbeat.interval = 20s;
  cfg.types["slow"].heartbeat.timeout = 60s;
  start(cfg);
  idle_agent("a1");
  idle_agent("a2", "slow");
  auto a1 = ack_of("a1");
  auto a2 = ack_of("a2");
  EXPECT_FALSE(a1.token.empty());
  EXPECT_NE(a1.beat_secret, 0u);
  EXPECT_TRUE(a1.token.hi != a2.token.hi || a1.token.lo != a2.token.lo);
  EXPECT_NE(a1.beat_secret, a2.beat_secret);
  EXPECT_EQ(a1.heartbeat_interval, duration{4s});
  EXPECT_EQ(a2.heartbeat_interval, duration{20s});
}

TEST_F(SupervisorOwnership, ALostLifesIdGoesOnlyToItsTokenOrItsNodesKey) {
  auto c = collector();
  auto p = puppet();
  auto x = claim("a1", "n1", "key-of-n1-0123456789");
  send_registration(p, x);
  report(p, "a1", s::spawning, s::idle);
  auto first = ack_of("a1");
  // Its actor is lost with its node.
  caf::anon_send(caf::actor_cast<caf::actor>(sup),
                 caf::down_msg{p.address(), caf::exit_reason::remote_link_unreachable});
  sched.run();
  ASSERT_EQ(status("a1").state, s::offline);
  // No proof, another node; the same node without its key or with another one: no.
  auto stranger = puppet();
  for (auto [node, key] : {std::pair{"n2", ""}, std::pair{"n1", ""},
                           std::pair{"n1", "a-different-key-0123"}}) {
    send_registration(stranger, claim("a1", node, key, s::idle));
    EXPECT_EQ(code_of(last_reply(stranger)), errc::unauthorized) << node << key;
  }
  EXPECT_EQ(status("a1").state, s::offline);
  EXPECT_EQ(status("a1").node, "n1");
  // Its node's key, from a new process of the node: the id, with a new token.
  auto again = puppet();
  send_registration(again, claim("a1", "n1", x.node_key.secret, s::idle));
  ASSERT_FALSE(last_reply(again));
  auto second = ack_of("a1");
  EXPECT_TRUE(second.token.hi != first.token.hi || second.token.lo != first.token.lo);
  EXPECT_EQ(status("a1").state, s::idle);
  auto events = events_of(c);
  ASSERT_FALSE(events.empty());
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const event& e) {
    return e.kind == event_kind::registered && e.reason == "reclaimed";
  }));
  // The old token no longer proves anything.
  transition_report rep;
  rep.id = "a1";
  rep.token = first.token;
  rep.from = s::idle;
  rep.to = s::busy;
  caf::anon_send(p, rep);
  sched.run();
  EXPECT_EQ(code_of(last_reply(p)), errc::unauthorized);
  EXPECT_EQ(status("a1").state, s::idle);
}

TEST_F(SupervisorOwnership, ALiveLifesIdGoesToItsTokenEvenUnderANewHandle) {
  auto p = idle_agent("a1");
  auto other = puppet();
  reg(other, "a1"); // no token: the life is alive, so a duplicate
  EXPECT_EQ(code_of(last_reply(other)), errc::duplicate_agent);
  reg_again(other, "a1", s::idle); // its token: it is that life (a reconnect race)
  EXPECT_FALSE(last_reply(other));
  EXPECT_EQ(status("a1").state, s::idle);
  // Watched through the new handle now.
  caf::anon_send(other, fail_atom::value, std::string{"segfault"});
  sched.run();
  EXPECT_EQ(status("a1").state, s::failed);
}

TEST_F(SupervisorOwnership, ANodesKeyIsPinnedTheFirstTimeItShowsOne) {
  auto p = puppet();
  send_registration(p, claim("a1", "n1", "key-of-n1-0123456789"));
  ASSERT_FALSE(last_reply(p));
  // New ids on that node need the key too.
  auto q = puppet();
  for (auto key : {"", "a-different-key-0123"}) {
    send_registration(q, claim("a2", "n1", key));
    EXPECT_EQ(code_of(last_reply(q)), errc::unauthorized) << key;
  }
  send_registration(q, claim("a2", "n1", "key-of-n1-0123456789"));
  EXPECT_FALSE(last_reply(q));
  // The pin outlives a new life of a node's only id: its old record goes, the key
  // stays required.
  auto r = puppet();
  send_registration(r, claim("c1", "n5", "key-of-n5-0123456789"));
  report(r, "c1", s::spawning, s::completed);
  auto again = puppet();
  send_registration(again, claim("c1", "n5", "key-of-n5-0123456789"));
  ASSERT_FALSE(last_reply(again));
  send_registration(again, claim("c2", "n5"));
  EXPECT_EQ(code_of(last_reply(again)), errc::unauthorized);
  send_registration(again, claim("c2", "n5", "key-of-n5-0123456789"));
  EXPECT_FALSE(last_reply(q));
}

TEST_F(SupervisorOwnership, OutOfRangeValuesFromAnyoneAreRefusedAndNeverStored) {
  auto c = collector();
  auto p = idle_agent("a1");
  auto before = stats().last_seq;
  send_registration(p, claim("a2", "n1", {}, static_cast<agent_state>(200)));
  EXPECT_EQ(code_of(last_reply(p)), errc::bad_input);
  send_registration(p, claim(std::string(257, 'x'), "n1"));
  EXPECT_EQ(code_of(last_reply(p)), errc::bad_input);
  send_registration(p, claim("a3\n[vigil] forged log line", "n1"));
  EXPECT_EQ(code_of(last_reply(p)), errc::bad_input);
  transition_report rep;
  rep.id = "a1";
  rep.token = ack_of("a1").token;
  rep.from = s::idle;
  rep.to = static_cast<agent_state>(9);
  caf::anon_send(p, rep);
  sched.run();
  EXPECT_EQ(code_of(last_reply(p)), errc::bad_input);
  EXPECT_EQ(stats().last_seq, before);
  EXPECT_EQ(stats().agents, 1u);
}

TEST_F(SupervisorOwnership, NoPinnedKeyLocksOutALifeOrANodeThatWasThereFirst) {
  // n1's agent registered without a key; a stranger cannot pin n1 now (it has records)
  // and lock n1 out.
  auto p = idle_agent("a1");
  auto stranger = puppet();
  send_registration(stranger, claim("b1", "n1", "strangers-key-0123456789"));
  EXPECT_FALSE(last_reply(stranger)); // registered, but pinned nothing
  auto q = puppet();
  reg(q, "a2"); // n1, no key: still welcome
  EXPECT_FALSE(last_reply(q));
  // A life's token is checked before any pin: on a pinned node, a life registered
  // before the pin (or by whoever) comes back by its token alone.
  auto r = puppet();
  send_registration(r, claim("c1", "n9", "key-of-n9-0123456789")); // pins n9
  ASSERT_FALSE(last_reply(r));
  reg_again(r, "c1", s::spawning); // its token, no key
  EXPECT_FALSE(last_reply(r));
}
