// Every message type crosses a node boundary: a binary round trip through the
// serializers BASP uses, with the names registered by register_types.
#include "vigil/messages/register_types.hpp"

#include <chrono>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>
#include <caf/message.hpp>
#include <gtest/gtest.h>

#include "vigil/messages/agent_messages.hpp"
#include "vigil/messages/event.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

struct RegisterTypes : ::testing::Test {
  RegisterTypes() : sys(init(cfg)) {}
  static caf::actor_system_config& init(caf::actor_system_config& c) {
    register_types(c);
    return c;
  }
  caf::message round_trip(const caf::message& msg) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    auto err = msg.save(sink); // msg.save reports unknown types (caf-0.17-notes §7)
    EXPECT_FALSE(err) << sys.render(err);
    caf::binary_deserializer source{sys, buf};
    caf::message back;
    err = back.load(source);
    EXPECT_FALSE(err) << sys.render(err);
    return back;
  }
  caf::actor_system_config cfg;
  caf::actor_system sys;
};

} // namespace

TEST_F(RegisterTypes, RegistrationHeartbeatAndReportCrossTheWire) {
  registration reg{"a1", "coder",          "n2",           agent_state::busy,
                   9,    life_token{3, 4}, credential{"k"}};
  heartbeat beat{"a1", 77, agent_state::on_call, 10};
  transition_report rep{
      "a1", life_token{5, 6}, agent_state::busy, agent_state::exhausted, 11, "billing",
      "",   duration{3h}};
  auto back = round_trip(caf::make_message(reg, beat, rep));
  ASSERT_TRUE((back.match_elements<registration, heartbeat, transition_report>()));
  auto& r = back.get_as<registration>(0);
  EXPECT_EQ(r.id, "a1");
  EXPECT_EQ(r.type, "coder");
  EXPECT_EQ(r.node, "n2");
  EXPECT_EQ(r.state, agent_state::busy);
  EXPECT_EQ(r.version, 9u);
  EXPECT_EQ(r.token.hi, 3u);
  EXPECT_EQ(r.token.lo, 4u);
  EXPECT_EQ(r.node_key.secret, "k");
  EXPECT_EQ(back.get_as<heartbeat>(1).state, agent_state::on_call);
  EXPECT_EQ(back.get_as<heartbeat>(1).secret, 77u);
  auto& t = back.get_as<transition_report>(2);
  EXPECT_EQ(t.to, agent_state::exhausted);
  EXPECT_EQ(t.token.lo, 6u);
  EXPECT_EQ(t.reason, "billing");
  ASSERT_TRUE(t.recovery_in);
  EXPECT_EQ(*t.recovery_in, duration{3h});
}

TEST_F(RegisterTypes, RegistrationAckAndBeatBatchesCrossTheWire) {
  registration_ack ack{(uint64_t{7} << 32) | 3, life_token{1, 2}, 42, 10s};
  beat_batch batch;
  batch.beats.push_back(paced_beat{1, 5, agent_state::busy, 4});
  batch.beats.push_back(paced_beat{uint64_t{1} << 40, 6, agent_state::exhausted, 9});
  batch.lateness = 1234ms;
  auto back = round_trip(caf::make_message(ack, batch));
  ASSERT_TRUE((back.match_elements<registration_ack, beat_batch>()));
  EXPECT_EQ(back.get_as<registration_ack>(0).key, ack.key);
  EXPECT_EQ(back.get_as<registration_ack>(0).token.lo, 2u);
  EXPECT_EQ(back.get_as<registration_ack>(0).beat_secret, 42u);
  EXPECT_EQ(back.get_as<registration_ack>(0).heartbeat_interval, duration{10s});
  auto& xs = back.get_as<beat_batch>(1).beats;
  ASSERT_EQ(xs.size(), 2u);
  EXPECT_EQ(xs[1].key, uint64_t{1} << 40);
  EXPECT_EQ(xs[1].state, agent_state::exhausted);
  EXPECT_EQ(xs[1].version, 9u);
  EXPECT_EQ(xs[1].secret, 6u);
  EXPECT_EQ(back.get_as<beat_batch>(1).lateness, duration{1234ms});
}

TEST_F(RegisterTypes, SecretsNeverShowInPrintedMessages) {
  registration reg;
  reg.id = "a1";
  reg.token = life_token{0x1234, 0x5678};
  reg.node_key = credential{"super-secret-node-key"};
  registration_ack ack{7, life_token{0x1234, 1}, 987654321, {}};
  beat_batch batch;
  batch.beats.push_back(paced_beat{7, 987654321, agent_state::idle, 1});
  auto text = caf::deep_to_string(caf::make_message(
      reg, ack, batch, heartbeat{"a1", 987654321, agent_state::idle, 1}));
  EXPECT_EQ(text.find("super-secret"), std::string::npos) << text;
  EXPECT_EQ(text.find("4660"), std::string::npos) << text; // 0x1234
  EXPECT_EQ(text.find("987654321"), std::string::npos) << text;
  EXPECT_NE(text.find("<redacted>"), std::string::npos) << text;
}

TEST_F(RegisterTypes, EventsAndEventBatchesCrossTheWire) {
  event e;
  e.seq = 5;
  e.agent = "a1";
  e.from = agent_state::idle;
  e.to = agent_state::exhausted;
  e.at = time_point{} + 1s;
  e.recovery_at = time_point{} + 2s;
  std::vector<event> batch{e, e};
  batch[1].seq = 6;
  auto back = round_trip(caf::make_message(e, batch));
  ASSERT_TRUE((back.match_elements<event, std::vector<event>>()));
  EXPECT_EQ(back.get_as<event>(0), e);
  EXPECT_EQ(back.get_as<std::vector<event>>(1), batch);
}
