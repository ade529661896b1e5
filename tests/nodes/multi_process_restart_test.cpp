// Restarts across real processes on 127.0.0.1 (DESIGN §12): an agents process dies, its
// agents end `failed (lost)` and come back on another process that offers their type;
// the dead process's node, back again, cannot take the ids from their new lives.
#include "multi_process_fixture.hpp"

#include <algorithm>

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::eventually;
using vigil::test::MultiProcess;
using vigil::test::process;

namespace {

// The fixture's fast heartbeats, plus: lost 1 s after offline, restarted anywhere
// 200 ms after that (transient: `lost` is a failed end).
constexpr const char* restart_settings_json = R"({
  "heartbeat": {"interval": "300ms", "timeout": "3s", "check_interval": "300ms",
                "max_missed": 2, "lag_grace": "1s"},
  "offline_retention": "1s",
  "restart": {"policy": "transient", "placement": "any",
              "backoff": {"min": "200ms", "max": "1s"}},
  "log": {"level": "info"}
})";

class MultiProcessRestart : public MultiProcess {
public:
  MultiProcessRestart() { std::ofstream{config_} << restart_settings_json; }

  /// The statuses of the agents whose ids start with `prefix`.
  std::vector<agent_status> with_prefix(const std::string& prefix) {
    auto all = statuses();
    all.erase(std::remove_if(all.begin(), all.end(),
                             [&](auto& x) { return x.id.rfind(prefix, 0) != 0; }),
              all.end());
    return all;
  }

  /// Whether the `n` agents of `prefix` run on `node`, each restarted once after `why`.
  bool restarted_on(const std::string& prefix, size_t n, const std::string& node,
                    const std::string& why) {
    auto xs = with_prefix(prefix);
    return xs.size() == n && std::all_of(xs.begin(), xs.end(), [&](auto& x) {
             return x.node == node && x.restarts == 1 && x.last_restart_reason == why &&
                    phase_of(x.state) == agent_phase::running &&
                    x.state != agent_state::offline;
           });
  }

  std::string describe(const std::string& prefix) {
    std::string out;
    for (auto& x : with_prefix(prefix))
      out += x.id + ": " + to_string(x.state) + " on " + x.node + ", restarts " +
             std::to_string(x.restarts) + " (" + x.last_restart_reason + "); ";
    return out;
  }
};

} // namespace

TEST_F(MultiProcessRestart,
       AKilledProcessesAgentsComeBackOnTheOtherAndItsStaleLivesAreRefused) {
  auto& sup = supervise();
  ASSERT_NE(port_, 0) << sup.err();
  auto key1 = std::vector<std::string>{"--node-key",
                                       key_file("n1.key", "node-one-key-0123456789")};
  auto key2 = std::vector<std::string>{"--node-key",
                                       key_file("n2.key", "node-two-key-0123456789")};
  auto* a = &agents("n1", 5, "w", key1);
  auto& b = agents("n2", 5, "v", key2);
  ASSERT_TRUE(until_in(agent_state::busy, 10, 20s))
      << describe_last() << a->err() << b.err();
  auto t0 = std::chrono::steady_clock::now();
  a->signal(SIGKILL);
  // Offline after about 3.3 s, lost 1 s later, restarted on n2 200 ms after that.
  ASSERT_TRUE(eventually([&] { return restarted_on("w-", 5, "n2", "lost"); }, 20s))
      << describe("w-") << sup.err();
  std::printf(
      "[ measured ] SIGKILL -> 5 agents running again on the other node in %lld ms\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - t0)
                                 .count()));
  ASSERT_TRUE(until_in(agent_state::busy, 10, 10s)) << describe_last();
  // n1 returns (a new process of the same node, with its key): the ids have live new
  // lives on n2, so each of its registrations is refused and the records stay on n2.
  a = &agents("n1-again", 5, "w", key1, "n1");
  EXPECT_TRUE(eventually(
      [&] { return occurrences(a->err(), "registration refused") == 5; }, 15s))
      << a->err();
  EXPECT_TRUE(restarted_on("w-", 5, "n2", "lost")) << describe("w-");
  EXPECT_EQ(with_prefix("v-").size(), 5u);
}

TEST_F(MultiProcessRestart, AStoppedProcessesOldLivesAreRefusedWhenItContinues) {
  auto& sup = supervise();
  ASSERT_NE(port_, 0) << sup.err();
  auto& a = agents("n1", 3, "w");
  auto& b = agents("n2", 3, "v");
  ASSERT_TRUE(until_in(agent_state::busy, 6, 20s))
      << describe_last() << a.err() << b.err();
  // A partition in one process: n1 stops (its connection stays open, silent), its
  // agents are lost and restarted on n2; then n1 goes on, and its old lives find their
  // ids taken.
  a.signal(SIGSTOP);
  ASSERT_TRUE(eventually([&] { return restarted_on("w-", 3, "n2", "lost"); }, 20s))
      << describe("w-") << sup.err();
  a.signal(SIGCONT);
  // The old lives learn it when they register again (after their connection was lost)
  // and end on their node: `superseded`.
  EXPECT_TRUE(eventually([&] { return occurrences(a.err(), "superseded") >= 3; }, 30s))
      << a.err();
  EXPECT_TRUE(restarted_on("w-", 3, "n2", "lost")) << describe("w-");
}
