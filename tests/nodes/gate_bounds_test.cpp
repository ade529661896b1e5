// The gate of a published supervisor (DESIGN §11): its bounds (subscribers,
// requests in flight, failed commands), each tested at the bound.
#include "nodes/gate_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::commander_secret;
using vigil::test::eventually;
using vigil::test::Gate;
using s = agent_state;

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
