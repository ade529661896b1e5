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
#include <random>
#include <sqlite3.h>
#include <stdlib.h>
#include <thread>

#include "process.hpp"
#include "vigil/nodes/node_config.hpp"
#include "vigil/nodes/publish.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::eventually;
using vigil::test::process;

namespace {

// Fast heartbeats so that every bound below is a few seconds: beats every 300 ms, the
// first miss 3 s after the last beat (long enough that a loaded CI machine does not
// miss beats by itself), offline 300 ms later.
constexpr const char* fast_settings = R"({
  "heartbeat": {"interval": "300ms", "timeout": "3s", "check_interval": "300ms",
                "max_missed": 2, "lag_grace": "1s"},
  "log": {"level": "info"}
})";

heartbeat_settings fast_heartbeat() {
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
    auto& p = start("supervisor",
                    {"supervise", "--port", std::to_string(port), "--bind", "127.0.0.1",
                     "--config", config_, "--state-dir", dir_ + "/state"});
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
    std::vector<std::string> args{
        "agents",      "--connect", target(), "--count", std::to_string(count),
        "--id-prefix", prefix,      "--work", "busy",    "--node",
        name,          "--config",  config_};
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
  auto took = until_in(agent_state::offline, 200, 10s);
  ASSERT_TRUE(took) << describe_last();
  std::printf("[ measured ] SIGSTOP -> 200 offline in %lld ms (timeout 3 s)\n",
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
  std::printf(
      "[ measured ] supervisor restart -> 200 agents registered again in %lld ms\n",
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
        for (size_t at = 0;
             (at = e.find("registration refused", at)) != std::string::npos; ++at)
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

namespace {

// Certificates made at test time with the openssl command-line tool: a CA, a
// supervisor and an agent node it signed, and a rogue node that signed itself.
class MultiProcessTls : public MultiProcess {
public:
  MultiProcessTls() {
    auto sh = [&](const std::string& cmd) {
      auto full = "cd " + dir_ + " && " + cmd + " >/dev/null 2>&1";
      if (std::system(full.c_str()) != 0)
        ADD_FAILURE() << "failed: " << cmd;
    };
    auto key = [](const std::string& name) {
      return "-newkey rsa:2048 -nodes -keyout " + name + ".key -subj /CN=" + name;
    };
    sh("openssl req -x509 " + key("ca") + " -out ca.pem -days 2");
    for (std::string n : {"sup", "node"}) {
      sh("openssl req " + key(n) + " -out " + n + ".csr");
      sh("openssl x509 -req -in " + n +
         ".csr -CA ca.pem -CAkey ca.key -CAcreateserial" + " -out " + n +
         ".pem -days 2");
    }
    sh("openssl req -x509 " + key("rogue") + " -out rogue.pem -days 2");
  }

  std::vector<std::string> tls(const std::string& who) {
    return {"--tls-cert", dir_ + "/" + who + ".pem",
            "--tls-key",  dir_ + "/" + who + ".key",
            "--tls-ca",   dir_ + "/ca.pem"};
  }

  process& supervise_tls() {
    std::vector<std::string> args{"supervise", "--port",      "0",
                                  "--bind",    "127.0.0.1",   "--config",
                                  config_,     "--state-dir", dir_ + "/state"};
    for (auto& x : tls("sup"))
      args.push_back(x);
    auto& p = start("supervisor", std::move(args));
    auto line = p.wait_for_line("supervising on port", 10s);
    EXPECT_NE(line.find("with TLS"), std::string::npos) << p.out() << p.err();
    auto at = line.find("port ");
    port_ = at == std::string::npos
                ? 0
                : static_cast<uint16_t>(std::stoi(line.substr(at + 5)));
    return p;
  }

  /// `vigil-node status` as `who` (or plaintext when empty): exit code and output.
  std::pair<int, std::string> status(const std::string& name, const std::string& who) {
    std::vector<std::string> args{"status", "--connect", target(), "--config", config_};
    if (!who.empty())
      for (auto& x : tls(who))
        args.push_back(x);
    auto& p = start(name, std::move(args));
    auto rc = p.wait(15s);
    return {rc, p.out() + p.err()};
  }
};

} // namespace

TEST_F(MultiProcessTls, AgentsWithCertificatesTheCaSignedRegister) {
  supervise_tls();
  ASSERT_NE(port_, 0);
  auto& a = agents("n1", 3, "t", tls("node"));
  EXPECT_TRUE(eventually(
      [&] { return status("st", "node").second.find("busy 3") != std::string::npos; },
      20s))
      << a.err();
  // Observers come and go over TLS; the agents' own connection stays up (CAF 0.17.6
  // with OpenSSL 3 dropped it each time: see nodes/src/openssl_error_queue.cpp).
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(status("st-" + std::to_string(i), "node").first, 0);
  EXPECT_EQ(a.err().find("lost the supervisor"), std::string::npos) << a.err();
}

TEST_F(MultiProcessTls, APlaintextPeerCannotTalkToATlsSupervisor) {
  supervise_tls();
  ASSERT_NE(port_, 0);
  auto [rc, text] = status("plain", "");
  EXPECT_EQ(rc, 1) << text;
  EXPECT_NE(text.find("cannot reach the supervisor"), std::string::npos) << text;
}

TEST_F(MultiProcessTls, APeerWhoseCertificateTheCaDidNotSignIsRefused) {
  supervise_tls();
  ASSERT_NE(port_, 0);
  auto& good = agents("n1", 3, "t", tls("node"));
  auto& rogue = agents("rogue", 2, "r", tls("rogue"));
  EXPECT_TRUE(eventually(
      [&] {
        return rogue.err().find("cannot reach the supervisor") != std::string::npos;
      },
      15s))
      << rogue.err();
  auto [rc, text] = status("rogue-status", "rogue");
  EXPECT_EQ(rc, 1) << text;
  EXPECT_TRUE(eventually(
      [&] {
        return status("st", "node").second.find("total 3\n") != std::string::npos;
      },
      20s)); // the good node's 3, none of the rogue's
  EXPECT_EQ(good.err().find("lost the supervisor"), std::string::npos) << good.err();
}

TEST_F(MultiProcess, WatchPrintsEveryEventOfRemoteAgentsAsTheyHappen) {
  supervise();
  ASSERT_NE(port_, 0);
  auto& w =
      start("watch", {"watch", "--connect", target(), "--json", "--config", config_});
  auto& text =
      start("watch-text", {"watch", "--connect", target(), "--config", config_});
  ASSERT_FALSE(text.wait_for_line("snapshot at", 10s).empty()) << text.err();
  auto& a = agents("n1", 3, "w");
  for (auto id : {"w-1", "w-2", "w-3"}) {
    auto needle = std::string{"\"agent\":\""} + id + "\"";
    EXPECT_TRUE(eventually(
        [&] {
          auto out = w.out();
          return out.find(needle) != std::string::npos &&
                 out.find("\"kind\":\"registered\"") != std::string::npos;
        },
        10s))
        << w.out() << w.err() << a.err();
    EXPECT_FALSE(
        text.wait_for_line(std::string{id} + " (default, n1): idle -> busy", 10s)
            .empty())
        << text.out();
  }
  w.signal(SIGINT);
  EXPECT_EQ(w.wait(10s), 0) << w.err();
}

namespace {

/// The seqs of the events a supervisor's SQLite record holds, in order.
std::vector<uint64_t> stored_seqs(const std::string& path) {
  std::vector<uint64_t> xs;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return xs;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT seq FROM events ORDER BY seq", -1, &q, nullptr) ==
      SQLITE_OK)
    while (sqlite3_step(q) == SQLITE_ROW)
      xs.push_back(static_cast<uint64_t>(sqlite3_column_int64(q, 0)));
  sqlite3_finalize(q);
  sqlite3_close(db);
  return xs;
}

} // namespace

TEST_F(MultiProcess, KilledSupervisorLosesNoCommittedEventAndNeverReusesASeq) {
  std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> pause_ms{50, 600};
  auto* s = &supervise();
  ASSERT_NE(port_, 0);
  auto port = port_;
  auto db = dir_ + "/state/fleet.db";
  agents("n1", 100, "w", {"--work", "cycle"});
  ASSERT_TRUE(eventually(
      [&] {
        auto c = counts();
        return c && c->registered == 100;
      },
      20s));
  uint64_t last = 0;
  uint64_t resumed = 0; // events the returning subscribers got
  for (int round = 1; round <= 20; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    s->signal(SIGKILL); // at a random moment of the workload
    s->wait(5s);
    auto seqs = stored_seqs(db);
    ASSERT_FALSE(seqs.empty()) << "round " << round;
    // Every committed event is there: 1 .. newest, no gap, no repeat.
    for (size_t i = 0; i < seqs.size(); ++i)
      ASSERT_EQ(seqs[i], i + 1) << "round " << round;
    EXPECT_GE(seqs.back(), last) << "round " << round;
    last = seqs.back();
    s = &supervise(port);
    ASSERT_EQ(port_, port) << s->err();
    // A subscriber that comes back from the last committed seq misses nothing.
    auto sup = reach_supervisor(sys_, "127.0.0.1", port_);
    ASSERT_TRUE(sup) << sys_.render(sup.error());
    caf::scoped_actor self{sys_};
    subscription_request req;
    req.from_seq = last;
    bool subscribed = false;
    self->request(*sup, 5s, std::move(req))
        .receive(
            [&](snapshot& snap) {
              subscribed = true;
              EXPECT_EQ(snap.missed, 0u) << "round " << round;
            },
            [&](caf::error& err) { ADD_FAILURE() << sys_.render(err); });
    ASSERT_TRUE(subscribed);
    uint64_t expect = last + 1;
    bool stop = false;
    while (!stop)
      self->receive(
          [&](event_batch& b) {
            for (auto& e : b.events)
              EXPECT_EQ(e.seq, expect++) << "round " << round;
            if (!b.events.empty())
              self->send(*sup, ack_atom::value, b.events.back().seq);
          },
          caf::after(std::chrono::milliseconds(300)) >> [&] { stop = true; });
    resumed += expect - (last + 1);
    self->send(*sup, caf::unsubscribe_atom::value);
  }
  EXPECT_GT(resumed, 0u); // the subscribers did see the runs go on
  std::printf("[ measured ] 20 supervisor kills: %llu events committed, none lost; "
              "%llu seen by returning subscribers, no gap\n",
              static_cast<unsigned long long>(last),
              static_cast<unsigned long long>(resumed));
}
