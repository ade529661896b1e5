// vigil-node's command line, run as the real program: every command has `--help`
// (exit 0, naming its flags), and bad usage exits 2 with CLI11's message, which says
// what was expected and what was found.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "nodes/process.hpp"
#include "support/scratch_dir.hpp"

using namespace std::chrono_literals;

namespace {

struct outcome {
  int code;
  std::string out;
  std::string err;
};

class NodeCli : public ::testing::Test {
public:
  outcome run(std::vector<std::string> args) {
    args.insert(args.begin(), VIGIL_NODE_BIN);
    vigil::test::process p{std::move(args), dir_ / std::to_string(++runs_)};
    auto code = p.wait(10s);
    return {code, p.out(), p.err()};
  }

private:
  vigil::test::scratch_dir dir_;
  int runs_ = 0;
};

} // namespace

TEST_F(NodeCli, EveryCommandHasHelpNamingItsFlags) {
  std::vector<std::pair<std::string, std::vector<std::string>>> commands{
      {"supervise",
       {"--port", "--bind", "--config", "--state-dir", "--no-store", "--commander-key",
        "--tls-cert", "--tls-key", "--tls-ca"}},
      {"agents",
       {"--connect", "--count", "--type", "--id-prefix", "--node", "--node-key",
        "--work", "--config", "--tls-cert"}},
      {"watch", {"--connect", "--json", "--config", "--tls-ca"}},
      {"status", {"--connect", "--agents", "--json", "--config", "--tls-key"}},
      {"kill", {"--connect", "ID", "--commander-key", "--tls-cert"}},
      {"pause", {"--connect", "ID", "--commander-key"}},
      {"resume", {"--connect", "ID", "--commander-key"}},
  };
  for (auto& [command, flags] : commands) {
    auto r = run({command, "--help"});
    EXPECT_EQ(r.code, 0) << command << "\n" << r.err;
    for (auto& flag : flags)
      EXPECT_NE(r.out.find(flag), std::string::npos) << command << " " << flag << "\n"
                                                     << r.out;
  }
  auto r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  for (auto command :
       {"supervise", "agents", "watch", "status", "kill", "pause", "resume"})
    EXPECT_NE(r.out.find(command), std::string::npos) << command << "\n" << r.out;
}

TEST_F(NodeCli, AnOptionGivenTwiceTakesTheLastValue) {
  // As before CLI11 (the multi-process fixture appends `--work` to its own): the
  // settings file read is the second one, which does not exist.
  auto r = run({"status", "--connect", "127.0.0.1:4242", "--config", "/nonexistent-1",
                "--config", "/nonexistent-2"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("/nonexistent-2"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("/nonexistent-1"), std::string::npos) << r.err;
}

TEST_F(NodeCli, BadUsageExitsTwoWithWhatWasExpectedAndFound) {
  struct usage_case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<usage_case> cases{
      {{}, "A subcommand is required"},
      {{"serve"},
       "COMMAND: expects supervise, agents, watch, status, kill, pause or resume, "
       "found \"serve\""},
      {{"watch", "--connect", "127.0.0.1:4242", "--bogus"}, "--bogus"},
      {{"watch", "--connect", "127.0.0.1:4242", "--count", "5"}, "--count"},
      {{"supervise"}, "--port is required"},
      {{"supervise", "--port", "70000"},
       "--port: expects a number up to 65535, found \"70000\""},
      {{"supervise", "--port", "-1"}, "--port: expects a number up to 65535"},
      {{"status"}, "--connect is required"},
      {{"status", "--connect", "localhost"},
       "--connect: expects HOST:PORT, found \"localhost\""},
      {{"status", "--connect", "localhost:0"},
       "--connect: port must be at least 1, found \"0\""},
      {{"agents", "--connect", "127.0.0.1:4242", "--count", "0"},
       "--count: must be at least 1, found \"0\""},
      {{"agents", "--connect", "127.0.0.1:4242", "--count", "many"},
       "--count: expects a number up to 10000000, found \"many\""},
      {{"agents", "--connect", "127.0.0.1:4242", "--work", "nap"},
       "--work: expects cycle, busy or idle, found \"nap\""},
      {{"kill", "--connect", "127.0.0.1:4242"}, "ID is required"},
      {{"pause", "--connect", "127.0.0.1:4242", "a1", "a2"}, "a2"},
  };
  for (auto& c : cases) {
    auto r = run(c.args);
    std::string line;
    for (auto& a : c.args)
      line += a + " ";
    EXPECT_EQ(r.code, 2) << line << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << line << "\n" << r.err;
  }
}
