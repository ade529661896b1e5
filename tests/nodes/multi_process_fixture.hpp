// The fixture of the multi-process tests: vigil-node processes on 127.0.0.1, an
// observer in the test process, every wait bounded.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>
#include <random>
#include <sqlite3.h>
#include <stdlib.h>
#include <thread>

#include "process.hpp"
#include "support/scratch_dir.hpp"
#include "vigil/nodes/node_config.hpp"
#include "vigil/nodes/publish.hpp"

namespace vigil::test {

using namespace std::chrono_literals;

// Fast heartbeats so that every bound below is a few seconds: beats every 300 ms, the
// first miss 3 s after the last beat (long enough that a loaded CI machine does not
// miss beats by itself), offline 300 ms later.
inline constexpr const char* fast_settings = R"({
  "heartbeat": {"interval": "300ms", "timeout": "3s", "check_interval": "300ms",
                "max_missed": 2, "lag_grace": "1s"},
  "log": {"level": "info"}
})";

inline heartbeat_settings fast_heartbeat() {
  heartbeat_settings hb;
  hb.interval = 300ms;
  hb.timeout = 3s;
  hb.check_interval = 300ms;
  hb.max_missed = 2;
  hb.lag_grace = 1s;
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
  MultiProcess() { std::ofstream{config_} << fast_settings; }

  ~MultiProcess() override {
    procs_.clear(); // killed and reaped before their directory goes
  }

  /// `vigil-node ARGS...`, logging to DIR/NAME.out and .err.
  process& start(const std::string& name, std::vector<std::string> args) {
    args.insert(args.begin(), VIGIL_NODE_BIN);
    procs_.push_back(std::make_unique<process>(std::move(args), dir_ + "/" + name));
    return *procs_.back();
  }

  /// A credential file (mode 600) holding `secret`; its path.
  std::string key_file(const std::string& name, const std::string& secret) {
    auto path = scratch_ / name;
    std::ofstream{path} << secret << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
    return path;
  }

  /// A supervisor on `port` (0: a free one, remembered in `port_`).
  process& supervise(uint16_t port = 0, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"supervise", "--port",      std::to_string(port),
                                  "--bind",    "127.0.0.1",   "--config",
                                  config_,     "--state-dir", dir_ + "/state"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto& p = start("supervisor", std::move(args));
    auto line = p.wait_for_line("supervising on port", 10s);
    EXPECT_FALSE(line.empty()) << p.err();
    auto at = line.find("port ");
    port_ = at == std::string::npos
                ? 0
                : static_cast<uint16_t>(std::stoi(line.substr(at + 5)));
    return p;
  }

  /// `vigil-node agents` as node `name` (also its log files' name, unless `node`
  /// names the node).
  process& agents(const std::string& name, size_t count, const std::string& prefix,
                  std::vector<std::string> extra = {}, std::string node = {}) {
    std::vector<std::string> args{"agents",
                                  "--connect",
                                  target(),
                                  "--count",
                                  std::to_string(count),
                                  "--id-prefix",
                                  prefix,
                                  "--work",
                                  "busy",
                                  "--node",
                                  node.empty() ? name : node,
                                  "--config",
                                  config_};
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

  /// Every agent's status, asked from this process.
  std::vector<agent_status> statuses() {
    std::vector<agent_status> out;
    auto sup = reach_supervisor(sys_, "127.0.0.1", port_);
    if (!sup)
      return out;
    caf::scoped_actor self{sys_};
    self->request(*sup, 5s, status_atom::value)
        .receive([&](std::vector<agent_status>& xs) { out = std::move(xs); },
                 [](caf::error&) {});
    return out;
  }

  /// How many times `text` occurs in `haystack`.
  static size_t occurrences(const std::string& haystack, const std::string& text) {
    size_t n = 0;
    for (size_t at = 0; (at = haystack.find(text, at)) != std::string::npos; ++at)
      ++n;
    return n;
  }

  /// Waits until `n` agents are in `s`; how long it took, or nothing after `limit`.
  std::optional<std::chrono::milliseconds> until_in(agent_state s, uint64_t n,
                                                    std::chrono::milliseconds limit) {
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

  vigil::test::scratch_dir scratch_;
  std::string dir_ = scratch_.path();
  std::string config_ = scratch_ / "fast.json";
  uint16_t port_ = 0;
  observer_config cfg_;
  caf::actor_system sys_{cfg_};
  std::vector<std::unique_ptr<process>> procs_;
  fleet_counts last_;
};

} // namespace vigil::test
