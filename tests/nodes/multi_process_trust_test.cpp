// Who may do what across real processes (DESIGN §11): impostors after a supervisor
// restart, commands from the command line, and a node that brings no settings. Every
// wait is bounded; ports are chosen free at run time.
#include "multi_process_fixture.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::eventually;
using vigil::test::MultiProcess;
using vigil::test::process;

namespace {

class MultiProcessTrust : public MultiProcess {
public:
  /// Waits until `p`'s stderr says `text` `n` times.
  bool said(process& p, const std::string& text, size_t n,
            std::chrono::milliseconds limit = 15s) {
    return eventually([&] { return occurrences(p.err(), text) >= n; }, limit);
  }

  /// Every agent's node, when all `n` agents are on `node`.
  bool all_on(const std::string& node, size_t n) {
    auto xs = statuses();
    return xs.size() == n &&
           std::all_of(xs.begin(), xs.end(), [&](auto& x) { return x.node == node; });
  }

  /// `vigil-node kill|pause|resume` with `extra` arguments, run to its end: exit code.
  int command(const std::string& name, std::vector<std::string> args) {
    auto& p = start(name, std::move(args));
    return p.wait(15s);
  }

  /// Waits until the supervisor's store committed every event so far.
  bool committed() {
    return eventually(
        [&] {
          auto sup = reach_supervisor(sys_, "127.0.0.1", port_);
          if (!sup)
            return false;
          caf::scoped_actor self{sys_};
          bool done = false;
          self->request(*sup, 2s, stats_atom::value)
              .receive(
                  [&](supervisor_stats& x) {
                    done = x.last_seq > 0 && x.store_committed_seq == x.last_seq;
                  },
                  [](caf::error&) {});
          return done;
        },
        5s);
  }

  /// The supervisor, killed once its record is committed, and started again on the
  /// same port and state.
  process* restart(process* s, std::vector<std::string> extra = {}) {
    EXPECT_TRUE(committed());
    s->signal(SIGKILL);
    EXPECT_EQ(s->wait(5s), -1);
    auto port = port_;
    auto* again = &supervise(port, std::move(extra));
    EXPECT_EQ(port_, port) << again->err();
    return again;
  }
};

} // namespace

TEST_F(MultiProcessTrust,
       AnImpostorFirstAfterASupervisorRestartIsRefusedAndTheAgentsReturn) {
  auto* s = &supervise();
  ASSERT_NE(port_, 0);
  auto& real = agents("n1", 5, "w"); // no credential of any kind
  ASSERT_TRUE(until_in(agent_state::busy, 5, 20s)) << describe_last() << real.err();
  real.signal(SIGSTOP); // so the impostor speaks first
  s = restart(s);
  ASSERT_TRUE(until_in(agent_state::offline, 5, 10s)) << describe_last();
  // Same ids, another node name, no credential of any kind.
  auto& evil = agents("evil", 5, "w");
  ASSERT_TRUE(said(evil, "registration refused", 5)) << evil.err();
  EXPECT_NE(evil.err().find("neither its life's token nor its node's key"),
            std::string::npos)
      << evil.err();
  EXPECT_TRUE(all_on("n1", 5)); // the record still names the real node
  // The real agents come back by their life tokens.
  real.signal(SIGCONT);
  ASSERT_TRUE(until_in(agent_state::busy, 5, 20s)) << describe_last() << real.err();
  EXPECT_TRUE(all_on("n1", 5));
  EXPECT_EQ(occurrences(real.err(), "registration refused"), 0u) << real.err();
}

TEST_F(MultiProcessTrust, RealAgentsFirstKeepTheirIdsAndTheirNodeKeyReclaimsThemLater) {
  auto* s = &supervise();
  ASSERT_NE(port_, 0);
  auto key = key_file("n1.key", "the-key-of-node-n1-0123456789");
  auto* real = &agents("n1", 5, "w", {"--node-key", key});
  ASSERT_TRUE(until_in(agent_state::busy, 5, 20s)) << describe_last() << real->err();
  s = restart(s);
  // The real agents reconnect first, by their tokens.
  ASSERT_TRUE(until_in(agent_state::busy, 5, 20s)) << describe_last() << real->err();
  auto& evil = agents("evil", 5, "w");
  ASSERT_TRUE(said(evil, "registration refused", 5)) << evil.err();
  // Naming the real node does not help without its key, nor with another key.
  auto& posing = agents("posing", 5, "w", {}, "n1");
  ASSERT_TRUE(said(posing, "registration refused", 5)) << posing.err();
  EXPECT_NE(posing.err().find("show it (--node-key)"), std::string::npos)
      << posing.err();
  auto other = key_file("other.key", "some-other-key-0123456789abc");
  auto& forged = agents("forged", 5, "w", {"--node-key", other}, "n1");
  ASSERT_TRUE(said(forged, "registration refused", 5)) << forged.err();
  EXPECT_TRUE(all_on("n1", 5));
  // The real node's process dies; a new process of it, with its key, takes the ids
  // back.
  real->signal(SIGKILL);
  ASSERT_TRUE(until_in(agent_state::offline, 5, 10s)) << describe_last();
  auto& again = agents("n1-restarted", 5, "w", {"--node-key", key}, "n1");
  ASSERT_TRUE(until_in(agent_state::busy, 5, 20s)) << describe_last() << again.err();
  EXPECT_TRUE(all_on("n1", 5));
  // It holds them: no other process was given any.
  EXPECT_EQ(last_.registered, 5u);
}

TEST_F(MultiProcessTrust, CommandsFromTheCommandLineNeedTheCommanderCredential) {
  auto commander = key_file("commander.key", "the-commander-credential-42");
  supervise(0, {"--commander-key", commander});
  ASSERT_NE(port_, 0);
  auto& a = agents("n1", 3, "w");
  ASSERT_TRUE(until_in(agent_state::busy, 3, 20s)) << describe_last() << a.err();
  // No credential; the wrong one: refused, and nothing changes.
  EXPECT_EQ(command("kill-none", {"kill", "--connect", target(), "w-1"}), 1);
  EXPECT_NE(procs_.back()->err().find("unauthorized"), std::string::npos)
      << procs_.back()->err();
  auto wrong = key_file("wrong.key", "not-the-commander-credential");
  EXPECT_EQ(command("kill-wrong",
                    {"kill", "--connect", target(), "w-1", "--commander-key", wrong}),
            1);
  // A credential file others may read is not used at all.
  auto loose = key_file("loose.key", "the-commander-credential-42");
  std::filesystem::permissions(loose, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  EXPECT_EQ(command("kill-loose",
                    {"kill", "--connect", target(), "w-1", "--commander-key", loose}),
            2);
  EXPECT_NE(procs_.back()->err().find("chmod 600"), std::string::npos)
      << procs_.back()->err();
  // An observer reads, and cannot command.
  auto& st = start("status", {"status", "--connect", target(), "--config", config_});
  EXPECT_EQ(st.wait(10s), 0) << st.err();
  EXPECT_NE(st.out().find("busy 3\n"), std::string::npos) << st.out();
  // The commander, from a file and from the environment.
  EXPECT_EQ(command("kill-ok", {"kill", "--connect", target(), "w-1", "--commander-key",
                                commander}),
            0)
      << procs_.back()->err();
  ASSERT_TRUE(until_in(agent_state::killed, 1, 5s)) << describe_last();
  procs_.push_back(std::make_unique<process>(
      std::vector<std::string>{"/usr/bin/env",
                               "VIGIL_COMMANDER_KEY=the-commander-credential-42",
                               VIGIL_NODE_BIN, "kill", "--connect", target(), "w-2"},
      dir_ + "/kill-env"));
  EXPECT_EQ(procs_.back()->wait(15s), 0) << procs_.back()->err();
  ASSERT_TRUE(until_in(agent_state::killed, 2, 5s)) << describe_last();
  EXPECT_EQ(in(last_, agent_state::busy), 1u);
}

TEST_F(MultiProcessTrust, WithoutACommanderCredentialCommandsAreRefusedOnLoopbackToo) {
  auto& s = supervise();
  ASSERT_NE(port_, 0);
  EXPECT_NE(s.err().find("kill, pause and resume are refused"), std::string::npos)
      << s.err();
  auto& a = agents("n1", 1, "w");
  ASSERT_TRUE(until_in(agent_state::busy, 1, 20s)) << describe_last() << a.err();
  auto cred = key_file("local.key", "a-local-process-credential");
  EXPECT_EQ(command("pause",
                    {"pause", "--connect", target(), "w-1", "--commander-key", cred}),
            1);
  EXPECT_NE(procs_.back()->err().find("no commander credential is configured"),
            std::string::npos)
      << procs_.back()->err();
  EXPECT_EQ(
      command("kill", {"kill", "--connect", target(), "w-1", "--commander-key", cred}),
      1);
  ASSERT_TRUE(until_in(agent_state::busy, 1, 2s)) << describe_last();
}

TEST_F(MultiProcessTrust,
       ANodeWithoutConfigBeatsAtTheSupervisorsIntervalAndStaysConnected) {
  auto commander = key_file("commander.key", "the-commander-credential-42");
  supervise(0, {"--commander-key", commander}); // beats every 300 ms, timeout 3 s
  ASSERT_NE(port_, 0);
  // No --config: by its own defaults it would beat every 10 s (and its connection
  // heartbeat every 5 s, past the supervisor's 3 s connection timeout).
  auto& a = start("n1", {"agents", "--connect", target(), "--count", "5", "--id-prefix",
                         "w", "--work", "busy", "--node", "n1"});
  ASSERT_TRUE(until_in(agent_state::busy, 5, 20s)) << describe_last() << a.err();
  // Twenty intervals of 300 ms: nobody misses a beat, nobody goes offline. (Watching
  // another process: no virtual clock can drive it.)
  auto t0 = std::chrono::steady_clock::now();
  bool steady = !eventually(
      [&] {
        auto c = counts();
        auto xs = statuses();
        return !c || in(*c, agent_state::busy) != 5 ||
               std::any_of(xs.begin(), xs.end(),
                           [](const agent_status& x) { return x.missed > 0; });
      },
      6s);
  EXPECT_TRUE(steady) << describe_last();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 6s);
  for (auto& x : statuses())
    EXPECT_LT(x.seconds_since_beat, 1.0) << x.id;
  // With no agents left it has nothing to say, and keeps its link all the same.
  for (auto id : {"w-1", "w-2", "w-3", "w-4", "w-5"})
    EXPECT_EQ(command(std::string{"kill-"} + id, {"kill", "--connect", target(), id,
                                                  "--commander-key", commander}),
              0);
  ASSERT_TRUE(until_in(agent_state::killed, 5, 5s)) << describe_last();
  EXPECT_FALSE(eventually(
      [&] { return a.err().find("lost the supervisor") != std::string::npos; }, 5s))
      << a.err();
  EXPECT_EQ(a.wait(10ms), -1) << "the node's process ended: " << a.err(); // still up
}

TEST_F(MultiProcessTrust, SuperviseListensOnLoopbackUnlessBoundAndWarnsWithoutTls) {
  auto& s = start("loopback",
                  {"supervise", "--port", "0", "--no-store", "--config", config_});
  auto line = s.wait_for_line("supervising on port", 10s);
  EXPECT_NE(line.find(" at 127.0.0.1"), std::string::npos) << line << s.err();
  EXPECT_EQ(s.err().find("WARNING"), std::string::npos) << s.err();
  s.signal(SIGINT);
  EXPECT_EQ(s.wait(10s), 0) << s.err();
  auto& open = start("open", {"supervise", "--port", "0", "--bind", "0.0.0.0",
                              "--no-store", "--config", config_});
  EXPECT_FALSE(open.wait_for_line("supervising on port", 10s).empty()) << open.err();
  EXPECT_NE(open.err().find("WITHOUT TLS"), std::string::npos) << open.err();
  open.signal(SIGINT);
  EXPECT_EQ(open.wait(10s), 0) << open.err();
}
