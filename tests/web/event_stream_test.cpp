// One browser's event stream at its bound (issue 22): a browser that reads too slowly
// makes its waiting events give way to a `resync` at `max_waiting`, never more memory.
// A real supervisor with real agents; nothing takes from the stream until the events
// are in, so the overflow is certain, not a race.
#include <memory>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "event_stream.hpp"
#include "real_time_config.hpp"
#include "vigil/actors/agent.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

} // namespace

TEST(EventStream, ABrowserTooSlowGetsAResyncAtTheBoundAndTheEventsAfterIt) {
  vigil::test::real_time_config cfg;
  caf::actor_system sys{cfg};
  supervisor_settings settings;
  settings.history = 20000;
  // Rare beats, and none missed on a loaded machine: the only events are the 4,200.
  settings.heartbeat.interval = 10s;
  settings.heartbeat.timeout = 5min;
  auto sup = spawn_supervisor(sys, settings);
  ASSERT_TRUE(sup) << sys.render(sup.error());
  subscription_request req;
  req.with_agents = false;
  auto stream = detail::event_stream::open(sys, *sup, req);
  std::vector<agent_actor> agents;
  // Whatever fails below, every actor ends (the system waits for them when it goes).
  auto ends = [&](void*) {
    stream->close();
    for (auto& a : agents)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
  };
  std::unique_ptr<void, decltype(ends)> at_end{&agents, ends};
  caf::scoped_actor self{sys};
  auto stats = [&] {
    supervisor_stats st;
    self->request(*sup, 5s, stats_atom::value)
        .receive([&](supervisor_stats& x) { st = x; }, [](caf::error&) {});
    return st;
  };
  for (int i = 0; i < 100 && stats().subscribers == 0; ++i)
    std::this_thread::sleep_for(20ms); // subscribed before the first event
  ASSERT_EQ(stats().subscribers, 1u);
  // 2,100 agents: 4,200 events (registered, idle), more than the 4,096 that may wait.
  const size_t n = 2100;
  for (size_t i = 0; i < n; ++i) {
    auto a = spawn_agent(sys, *sup, agent_options{"a" + std::to_string(i), "coder"});
    ASSERT_TRUE(a) << sys.render(a.error());
    agents.push_back(*a);
  }
  // Every event made, then handed to the stream: an answer with nothing in flight
  // that follows one already showing the last seq (the supervisor's flush of the last
  // batch came between them), so nothing has been taken before all were pushed.
  supervisor_stats st;
  bool made_all = false, delivered = false;
  auto deadline = std::chrono::steady_clock::now() + 40s; // a loaded machine is slow
  while (!delivered && std::chrono::steady_clock::now() < deadline) {
    st = stats();
    delivered = made_all && st.max_in_flight == 0;
    made_all = made_all || st.last_seq >= 2 * n;
    if (!delivered)
      std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(delivered) << "not every agent registered, went idle and reached the "
                            "stream in 40 s (seq "
                         << st.last_seq << ")";
  ASSERT_EQ(st.last_seq, 2 * n);
  // The subscriber hands events on as they come; wait until the last is in.
  std::string text;
  auto last = "id: " + std::to_string(2 * n) + "\n";
  for (int i = 0; i < 100 && text.find(last) == std::string::npos; ++i)
    text += stream->take(100ms);
  ASSERT_NE(text.find(last), std::string::npos) << text.substr(0, 500);
  // The start and the first 4,095 events waited; the 4,096th found the bound: they
  // gave way to a resync as of the event before it (its id: a reconnect resumes after
  // it), and the events after it follow, in seq order.
  const auto bound = detail::event_stream::max_waiting;
  auto resync = "id: " + std::to_string(bound - 1) +
                "\nevent: resync\ndata: {\"seq\":" + std::to_string(bound - 1) +
                ",\"missed\":" + std::to_string(bound) +
                ",\"reason\":\"too slow\"}\n\n";
  ASSERT_EQ(text.rfind(resync, 0), 0u) << text.substr(0, 500);
  EXPECT_EQ(count_of(text, "event: resync"), 1u);
  EXPECT_EQ(count_of(text, "event: start"), 0u); // given way too
  EXPECT_EQ(count_of(text, "\ndata: {\"schema\""), 2 * n - bound + 1);
  auto first = "\nid: " + std::to_string(bound) + "\ndata: {";
  EXPECT_EQ(text.find(first), resync.size() - 1) << text.substr(0, 500);
}
