// vigil across real processes on 127.0.0.1 (DESIGN §7): a supervisor and agent
// processes of vigil-node, killed, stopped, restarted and impersonated. Ports are
// chosen free at run time (the supervisor listens on port 0 and prints its port) and
// every wait is bounded.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "process.hpp"
#include "vigil/nodes/node_config.hpp"
#include "vigil/nodes/publish.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::eventually;
using vigil::test::process;

namespace {

// Fast heartbeats so that every bound below is a few seconds: beats every 200 ms,
// the first miss 1 s after the last beat, offline 200 ms later.
constexpr const char* fast_settings = R"({
  "heartbeat": {"interval": "200ms", "timeout": "1s", "check_interval": "200ms",
                "max_missed": 2, "lag_grace": "500ms"},
  "log": {"level": "info"}
})";

heartbeat_settings fast_heartbeat() {
  heartbeat_settings hb;
  hb.interval = 200ms;
  hb.timeout = 1s;
  hb.check_interval = 200ms;
  hb.max_missed = 2;
  hb.lag_grace = 500ms;
  return hb;
}

struct observer_config : caf::actor_system_config {
  observer_config() {
    auto err = configure_node(*this, fast_heartbeat());
    if (err)
      std::abort();
  }
};

class MultiProcess : public ::testing::Test {
public:
  MultiProcess() {
    char tmpl[] = "/tmp/vigil-nodes-XXXXXX";
    dir_ = mkdtemp(tmpl);
    config_ = dir_ + "/fast.json";
    std::ofstream{config_} << fast_settings;
  }

  ~MultiProcess() override {
    procs_.clear(); // killed and reaped
    std::string cmd = "rm -rf " + dir_;
    if (std::system(cmd.c_str()) != 0)
      std::fprintf(stderr, "could not remove %s\n", dir_.c_str());
  }

  /// `vigil-node ARGS...`, logging to DIR/NAME.out and .err.
  process& start(const std::string& name, std::vector<std::string> args) {
    args.insert(args.begin(), VIGIL_NODE_BIN);
    procs_.push_back(std::make_unique<process>(std::move(args), dir_ + "/" + name));
    return *procs_.back();
  }

  /// A supervisor on `port` (0: a free one, remembered in `port_`).
  process& supervise(uint16_t port = 0) {
    auto& p = start("supervisor", {"supervise", "--port", std::to_string(port),
                                   "--bind", "127.0.0.1", "--config", config_});
    auto line = p.wait_for_line("supervising on port", 10s);
    EXPECT_FALSE(line.empty()) << p.err();
    auto at = line.find("port ");
    port_ = at == std::string::npos
                ? 0
                : static_cast<uint16_t>(std::stoi(line.substr(at + 5)));
    return p;
  }

  process& agents(const std::string& name, size_t count, const std::string& prefix,
                  std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"agents",      "--connect", target(),
                                  "--count",     std::to_string(count),
                                  "--id-prefix", prefix,
                                  "--work",      "busy",
                                  "--node",      name,
                                  "--config",    config_};
    args.insert(args.end(), extra.begin(), extra.end());
    return start(name, std::move(args));
  }

  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

  /// The supervisor's counts, asked from this process; nothing when unreachable.
  std::optional<fleet_counts> counts() {
    auto sup = reach_supervisor(sys_, "127.0.0.1", port_);
    if (!sup)
      return std::nullopt;
    caf::scoped_actor self{sys_};
    std::optional<fleet_counts> result;
    self->request(*sup, 2s, count_atom::value)
        .receive([&](fleet_counts& c) { result = std::move(c); }, [](caf::error&) {});
    return result;
  }

  uint64_t in(const fleet_counts& c, agent_state s) {
    auto i = c.by_state.find(s);
    return i == c.by_state.end() ? 0 : i->second;
  }

  /// Waits until `n` agents are in `s`; how long it took, or nothing after `limit`.
  std::optional<std::chrono::milliseconds>
  until_in(agent_state s, uint64_t n, std::chrono::milliseconds limit) {
    auto t0 = std::chrono::steady_clock::now();
    last_ = {};
    bool ok = eventually(
        [&] {
          auto c = counts();
          if (c)
            last_ = *c;
          return c && in(*c, s) == n;
        },
        limit);
    if (!ok)
      return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
  }

  std::string describe_last() {
    std::string out;
    for (auto& [s, n] : last_.by_state)
      out += to_string(s) + " " + std::to_string(n) + ", ";
    return out + "total " + std::to_string(last_.registered);
  }

  std::string dir_;
  std::string config_;
  uint16_t port_ = 0;
  observer_config cfg_;
  caf::actor_system sys_{cfg_};
  std::vector<std::unique_ptr<process>> procs_;
  fleet_counts last_;
};

} // namespace

TEST_F(MultiProcess, KilledAgentsProcessGoesOfflineNotFailedAndComesBackOnRestart) {
  auto& sup = supervise();
  ASSERT_NE(port_, 0) << sup.err();
  auto* a = &agents("n1", 200, "w");
  ASSERT_TRUE(until_in(agent_state::busy, 200, 20s)) << describe_last() << a->err();
  a->signal(SIGKILL);
  auto took = until_in(agent_state::offline, 200, 5s);
  ASSERT_TRUE(took) << describe_last();
  std::printf("[ measured ] SIGKILL -> 200 offline in %lld ms\n",
              static_cast<long long>(took->count()));
  EXPECT_EQ(in(last_, agent_state::failed), 0u);
  // The same ids from a new process: every one returns (as the state it claims).
  a = &agents("n1-again", 200, "w");
  ASSERT_TRUE(until_in(agent_state::busy, 200, 20s)) << describe_last() << a->err();
  EXPECT_EQ(last_.registered, 200u);
}

TEST_F(MultiProcess, StoppedAgentsProcessGoesOfflineAndReturnsIntactWhenContinued) {
  supervise();
  ASSERT_NE(port_, 0);
  auto& a = agents("n1", 200, "w");
  ASSERT_TRUE(until_in(agent_state::busy, 200, 20s)) << describe_last() << a.err();
  a.signal(SIGSTOP);
  auto took = until_in(agent_state::offline, 200, 5s);
  ASSERT_TRUE(took) << describe_last();
  std::printf("[ measured ] SIGSTOP -> 200 offline in %lld ms (timeout 1 s)\n",
              static_cast<long long>(took->count()));
  a.signal(SIGCONT);
  auto back = until_in(agent_state::busy, 200, 15s);
  ASSERT_TRUE(back) << describe_last() << a.err();
  std::printf("[ measured ] SIGCONT -> 200 busy again in %lld ms\n",
              static_cast<long long>(back->count()));
  EXPECT_EQ(in(last_, agent_state::failed), 0u);
}

TEST_F(MultiProcess, RestartedSupervisorLearnsTheFleetBackFromReRegistrations) {
  auto* s = &supervise();
  ASSERT_NE(port_, 0);
  auto& a = agents("n1", 200, "w");
  ASSERT_TRUE(until_in(agent_state::busy, 200, 20s)) << describe_last() << a.err();
  s->signal(SIGKILL);
  ASSERT_EQ(s->wait(5s), -1); // killed
  s = &supervise(port_);      // the same port
  auto took = until_in(agent_state::busy, 200, 20s);
  ASSERT_TRUE(took) << describe_last() << a.err();
  std::printf("[ measured ] supervisor restart -> 200 agents registered again in %lld ms\n",
              static_cast<long long>(took->count()));
  EXPECT_EQ(last_.registered, 200u);
}

TEST_F(MultiProcess, AThirdProcessClaimingLiveIdsIsRefused) {
  supervise();
  ASSERT_NE(port_, 0);
  auto& first = agents("n1", 5, "x");
  ASSERT_TRUE(until_in(agent_state::busy, 5, 20s)) << describe_last() << first.err();
  auto& impostor = agents("n2", 5, "x");
  EXPECT_TRUE(eventually(
      [&] {
        auto e = impostor.err();
        size_t n = 0;
        for (size_t at = 0; (at = e.find("registration refused", at)) != std::string::npos;
             ++at)
          ++n;
        return n == 5;
      },
      10s))
      << impostor.err();
  EXPECT_NE(impostor.err().find("already registered by another live actor"),
            std::string::npos);
  // The first owners keep their agents.
  ASSERT_TRUE(until_in(agent_state::busy, 5, 2s)) << describe_last();
  EXPECT_EQ(last_.registered, 5u);
}

TEST_F(MultiProcess, CtrlCEndsEachProcessCleanly) {
  auto& s = supervise();
  ASSERT_NE(port_, 0);
  auto& a = agents("n1", 10, "w");
  ASSERT_TRUE(until_in(agent_state::busy, 10, 20s)) << describe_last();
  auto& st = start("status", {"status", "--connect", target(), "--config", config_});
  EXPECT_EQ(st.wait(10s), 0) << st.err();
  EXPECT_NE(st.out().find("busy 10\ntotal 10\n"), std::string::npos) << st.out();
  a.signal(SIGINT);
  EXPECT_EQ(a.wait(10s), 0) << a.err();
  ASSERT_TRUE(until_in(agent_state::killed, 10, 5s)) << describe_last();
  s.signal(SIGINT);
  EXPECT_EQ(s.wait(10s), 0) << s.err();
}
