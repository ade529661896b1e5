// The gate of a published supervisor (DESIGN §11), tested between two actor systems in
// one process, connected over 127.0.0.1: one runs the supervisor, the other is the
// peer, which plays every role and some attacks. Every wait is bounded.
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <gtest/gtest.h>

#include "nodes/multi_process_fixture.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"
#include "vigil/nodes/node_config.hpp"
#include "vigil/nodes/publish.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::eventually;

namespace {

using s = agent_state;

const char* commander_secret = "correct-horse-battery-staple-42";

struct node_config : caf::actor_system_config {
  node_config() {
    if (configure_node(*this, vigil::test::fast_heartbeat()))
      std::abort();
    set("scheduler.max-threads", 2);
  }
};

/// A stand-in agent on the peer: registers when told (so that the supervisor watches
/// it), and does nothing else.
caf::behavior dummy_agent(caf::event_based_actor* self, supervisor_gate g) {
  return {
      [=](registration& reg) -> caf::result<registration_ack> {
        auto rp = self->make_response_promise<registration_ack>();
        self->request(g, 5s, std::move(reg))
            .then([rp](registration_ack& x) mutable { rp.deliver(x); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
  };
}

/// The peer's all-roles actor: registers itself as an agent, beats, reports,
/// subscribes and queries, and notes the sender of everything it gets.
struct spy_state {
  static inline const char* name = "vigil.test.spy";
  std::vector<caf::strong_actor_ptr> senders;
  uint64_t events = 0;
  uint64_t answers = 0;
};

caf::behavior spy(caf::stateful_actor<spy_state>* self, supervisor_gate g) {
  auto note = [self] {
    self->state.senders.push_back(self->current_sender());
    ++self->state.answers;
  };
  auto failed = [note](caf::error&) {
    note();
  };
  registration reg;
  reg.id = "spy-1";
  reg.node = "peer";
  self->request(g, 5s, reg)
      .then(
          [=](registration_ack& ack) {
            note();
            self->send(g, heartbeat{"spy-1", ack.beat_secret, s::spawning, 0});
            transition_report rep;
            rep.id = "spy-1";
            rep.token = ack.token;
            rep.from = s::spawning;
            rep.to = s::idle;
            rep.version = 1;
            rep.reason = "test";
            self->request(g, 5s, rep).then([=] { note(); }, failed);
          },
          failed);
  self->request(g, 5s, subscription_request{}).then([=](snapshot&) { note(); }, failed);
  self->request(g, 5s, count_atom::value).then([=](fleet_counts&) { note(); }, failed);
  self->request(g, 5s, stats_atom::value)
      .then([=](supervisor_stats&) { note(); }, failed);
  self->request(g, 5s, status_atom::value)
      .then([=](std::vector<agent_status>&) { note(); }, failed);
  self->request(g, 5s, status_atom::value, std::string{"nobody"})
      .then([=](agent_status&) { note(); }, failed);
  self->request(g, 5s, pace_atom::value).then([=](duration) { note(); }, failed);
  return {
      [=](event_batch& b) {
        self->state.senders.push_back(self->current_sender());
        self->state.events += b.events.size();
        if (!b.events.empty())
          self->send(g, ack_atom::value, b.events.back().seq);
      },
      [=](snapshot&) { self->state.senders.push_back(self->current_sender()); },
      // What it saw so far: answers, events, and the senders that were the supervisor.
      [=](get_atom, caf::node_id sup_node, caf::actor_id sup_id) {
        uint64_t bad = 0;
        for (auto& x : self->state.senders)
          if (x && x->node() == sup_node && x->id() == sup_id)
            ++bad;
        return std::make_tuple(self->state.answers, self->state.events, bad);
      },
  };
}

class Gate : public ::testing::Test {
public:
  void start(credential commander) {
    gate_options opts;
    opts.commander = std::move(commander);
    start(std::move(opts));
  }

  void start(gate_options opts) {
    supervisor_settings cfg;
    cfg.heartbeat = vigil::test::fast_heartbeat();
    auto x = spawn_supervisor(home, cfg);
    ASSERT_TRUE(x) << home.render(x.error());
    sup = *x;
    auto p = publish_supervisor(home, sup, 0, "127.0.0.1", opts);
    ASSERT_TRUE(p) << home.render(p.error());
    auto g = reach_supervisor(peer, "127.0.0.1", *p);
    ASSERT_TRUE(g) << peer.render(g.error());
    gate = *g;
  }

  ~Gate() override {
    for (auto& a : agents)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    if (sup)
      caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  }

  /// Registers an agent of the peer (a dummy actor) and reports it busy.
  registration_ack enlist(const std::string& id, const std::string& node = "peer") {
    auto agent = peer.spawn(dummy_agent, gate);
    agents.push_back(agent);
    caf::scoped_actor self{peer};
    registration reg;
    reg.id = id;
    reg.node = node;
    registration_ack ack;
    // Sent by the agent: the supervisor watches the registering actor.
    self->request(agent, 5s, reg)
        .receive([&](registration_ack& x) { ack = x; },
                 [&](caf::error& err) { ADD_FAILURE() << peer.render(err); });
    transition_report rep;
    rep.id = id;
    rep.token = ack.token;
    rep.from = s::spawning;
    rep.to = s::idle;
    rep.version = 1;
    ask_void(rep);
    rep.from = s::idle;
    rep.to = s::busy;
    rep.version = 2;
    ask_void(rep);
    return ack;
  }

  template <class... Ts>
  caf::error ask_void(Ts&&... xs) {
    caf::scoped_actor self{peer};
    caf::error out;
    self->request(gate, 5s, std::forward<Ts>(xs)...)
        .receive([] {}, [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  template <class T, class... Ts>
  caf::expected<T> ask(Ts&&... xs) {
    caf::scoped_actor self{peer};
    caf::expected<T> out{caf::sec::request_timeout};
    self->request(gate, 5s, std::forward<Ts>(xs)...)
        .receive([&](T& x) { out = std::move(x); },
                 [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  /// Sends every message at once (no round trip in between) as requests with no
  /// answer value; the error of each, in order (none: done).
  std::vector<caf::error> burst(std::vector<caf::message> xs) {
    auto done = std::make_shared<std::promise<std::vector<caf::error>>>();
    auto out = std::make_shared<std::vector<caf::error>>(xs.size());
    auto left = std::make_shared<size_t>(xs.size());
    auto g = caf::actor_cast<caf::actor>(gate);
    peer.spawn([=](caf::event_based_actor* self) {
      for (size_t i = 0; i < xs.size(); ++i)
        self->request(g, 10s, xs[i])
            .then(
                [=] {
                  if (--*left == 0)
                    done->set_value(*out);
                },
                [=](caf::error& err) {
                  (*out)[i] = std::move(err);
                  if (--*left == 0)
                    done->set_value(*out);
                });
    });
    auto f = done->get_future();
    if (f.wait_for(20s) != std::future_status::ready) {
      ADD_FAILURE() << "no answers";
      return {};
    }
    return f.get();
  }

  agent_status status(const std::string& id) {
    auto x = ask<agent_status>(status_atom::value, id);
    EXPECT_TRUE(x) << peer.render(x.error());
    return x ? *x : agent_status{};
  }

  node_config home_cfg;
  node_config peer_cfg;
  caf::actor_system home{home_cfg};
  caf::actor_system peer{peer_cfg};
  supervisor_actor sup;
  supervisor_gate gate;
  std::vector<caf::actor> agents;
};

} // namespace

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

TEST_F(Gate, RemoteSubscribersAreBounded) {
  gate_options opts;
  opts.max_subscribers = 2;
  start(opts);
  std::vector<std::unique_ptr<caf::scoped_actor>> subs;
  std::vector<caf::error> answers;
  for (int i = 0; i < 3; ++i) {
    subs.push_back(std::make_unique<caf::scoped_actor>(peer));
    auto& self = *subs.back();
    self->request(gate, 5s, subscription_request{})
        .receive([&](snapshot&) { answers.emplace_back(); },
                 [&](caf::error& err) { answers.push_back(err); });
  }
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_FALSE(answers[0]);
  EXPECT_FALSE(answers[1]);
  EXPECT_EQ(code_of(answers[2]), errc::invalid_request) << peer.render(answers[2]);
  // One leaves (its actor ends): its place is free again.
  subs.erase(subs.begin());
  EXPECT_TRUE(eventually(
      [&] {
        caf::scoped_actor self{peer};
        bool ok = false;
        self->request(gate, 5s, subscription_request{})
            .receive([&](snapshot&) { ok = true; }, [](caf::error&) {});
        return ok;
      },
      10s));
}

TEST_F(Gate, RequestsInFlightToTheSupervisorAreBounded) {
  gate_options opts;
  opts.max_in_flight = 1;
  start(opts);
  // A burst of questions: the gate holds one at the supervisor and refuses what comes
  // while it waits; every question is answered one way or the other.
  constexpr int burst = 500;
  auto done = std::make_shared<std::promise<std::pair<int, int>>>();
  auto tally = std::make_shared<std::pair<int, int>>(0, 0);
  auto g = gate;
  peer.spawn([=](caf::event_based_actor* self) {
    auto settle = [=] {
      if (tally->first + tally->second == burst)
        done->set_value(*tally);
    };
    for (int i = 0; i < burst; ++i)
      self->request(g, 10s, count_atom::value)
          .then(
              [=](fleet_counts&) {
                ++tally->first;
                settle();
              },
              [=](caf::error& err) {
                if (code_of(err) == errc::invalid_request)
                  ++tally->second;
                else
                  tally->first += burst; // not a refusal: fails the test below
                settle();
              });
  });
  auto f = done->get_future();
  ASSERT_EQ(f.wait_for(20s), std::future_status::ready);
  auto [answered, refused] = f.get();
  EXPECT_EQ(answered + refused, burst);
  EXPECT_GT(answered, 0);
  EXPECT_GT(refused, 0);
}

TEST_F(Gate, GuessingTheCommanderCredentialIsThrottled) {
  start(credential{commander_secret});
  enlist("w-1");
  // Ten guesses and then the right credential, in one burst (within one second).
  std::vector<caf::message> xs;
  for (int i = 0; i < 10; ++i)
    xs.push_back(
        caf::make_message(pause_atom::value, std::string{"w-1"},
                          credential{"guess-" + std::to_string(i) + "-012345"}));
  xs.push_back(caf::make_message(pause_atom::value, std::string{"w-1"},
                                 credential{commander_secret}));
  auto errs = burst(xs);
  ASSERT_EQ(errs.size(), 11u);
  for (auto& e : errs)
    EXPECT_EQ(code_of(e), errc::unauthorized) << peer.render(e);
  // Even the right credential was refused, unchecked.
  auto err = errs.back();
  EXPECT_NE(peer.render(err).find("too many failed commands"), std::string::npos)
      << peer.render(err);
  EXPECT_FALSE(status("w-1").paused);
  // A second later it works again.
  EXPECT_TRUE(eventually(
      [&] {
        return !ask_void(pause_atom::value, std::string{"w-1"},
                         credential{commander_secret});
      },
      3s));
  EXPECT_TRUE(status("w-1").paused);
}
