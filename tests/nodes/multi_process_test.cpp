// vigil across real processes on 127.0.0.1 (DESIGN §7): a supervisor and agent
// processes of vigil-node, killed, stopped, restarted and impersonated. Ports are
// chosen free at run time (the supervisor listens on port 0 and prints its port) and
// every wait is bounded.
#include "multi_process_fixture.hpp"
#include "support/stored_record.hpp"
#include "vigil/messages/event_json.hpp"

#include <sstream>
#include <sys/wait.h>

using namespace vigil;
using namespace std::chrono_literals;
using vigil::test::eventually;
using vigil::test::MultiProcess;
using vigil::test::process;

TEST_F(MultiProcess, KilledAgentsProcessGoesOfflineNotFailedAndComesBackOnRestart) {
  auto& sup = supervise();
  ASSERT_NE(port_, 0) << sup.err();
  // The node's key: a new process of the node proves it is the same node.
  auto key = std::vector<std::string>{"--node-key",
                                      key_file("n1.key", "node-one-key-0123456789")};
  auto* a = &agents("n1", 200, "w", key);
  ASSERT_TRUE(until_in(agent_state::busy, 200, 20s)) << describe_last() << a->err();
  a->signal(SIGKILL);
  auto took = until_in(agent_state::offline, 200, 5s);
  ASSERT_TRUE(took) << describe_last();
  std::printf("[ measured ] SIGKILL -> 200 offline in %lld ms\n",
              static_cast<long long>(took->count()));
  EXPECT_EQ(in(last_, agent_state::failed), 0u);
  // The same ids from a new process of the node: every one returns (as the state it
  // claims).
  a = &agents("n1-again", 200, "w", key, "n1");
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
  // --json prints the event schema: each line decodes, and the file validates.
  std::istringstream lines{w.out()};
  for (std::string line; std::getline(lines, line);) {
    vigil::event_json_problem why;
    EXPECT_TRUE(parse_event_line(line, unix_origin(vigil::clock::now()), why))
        << to_string(why) << "\n"
        << line;
  }
  std::ofstream{dir_ + "/watch.jsonl"} << w.out();
  auto cmd =
      std::string{"python3 '" VIGIL_VALIDATE_EVENTS "' '" VIGIL_EVENT_SCHEMA "' '"} +
      dir_ + "/watch.jsonl'";
  auto status = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << w.out();
}

using vigil::test::fleet_model;
using vigil::test::query;
using vigil::test::stored_agents;

namespace {

/// The seqs of the events a supervisor's SQLite record holds, in order.
std::vector<uint64_t> stored_seqs(const std::string& path) {
  std::vector<uint64_t> xs;
  query(path, "SELECT seq FROM events ORDER BY seq", [&](sqlite3_stmt* q) {
    xs.push_back(static_cast<uint64_t>(sqlite3_column_int64(q, 0)));
  });
  return xs;
}

/// What a subscriber knows: a snapshot, then every event after it, in seq order, with
/// the epoch that numbered them. Any gap is a test failure.
struct stream_reader {
  fleet_model model;
  uint64_t epoch = 0;
  uint64_t seen = 0; ///< The newest seq applied.
  uint64_t events = 0;
  uint64_t resyncs = 0;
  std::string where;

  void take(const snapshot& snap) {
    epoch = snap.epoch;
    if (!snap.complete)
      return; // the stream goes on after `seen`: nothing missed
    seen = snap.seq;
    ++resyncs;
    model.clear();
    for (auto& a : snap.agents)
      model[a.id] = {to_string(a.state), a.version};
  }

  void take(const event_batch& b) {
    ASSERT_EQ(b.epoch, epoch) << where;
    for (auto& e : b.events) {
      ASSERT_EQ(e.seq, seen + 1) << where << ": a silent gap";
      seen = e.seq;
      ++events;
      if (e.kind == event_kind::registered)
        model[e.agent] = {to_string(e.to), e.version};
      else if (e.kind == event_kind::purged)
        model.erase(e.agent);
      else if (e.kind == event_kind::transition) {
        auto& m = model[e.agent];
        ASSERT_EQ(e.version, m.second + 1) << where << ": " << e.agent;
        m = {to_string(e.to), e.version};
      }
    }
  }

  /// Reads until nothing came for `quiet`, acknowledging as it goes.
  void read(caf::scoped_actor& self, const supervisor_gate& sup,
            std::chrono::milliseconds quiet) {
    bool stop = false;
    while (!stop)
      self->receive(
          [&](event_batch& b) {
            take(b);
            self->send(sup, ack_atom::value, seen);
          },
          [&](snapshot& snap) { // a resync: it fell behind the history
            take(snap);
            self->send(sup, ack_atom::value, seen);
          },
          caf::after(quiet) >> [&] { stop = true; });
  }
};

} // namespace

TEST_F(MultiProcess, KilledSupervisorLosesNoCommittedEventAndNeverReusesASeq) {
  std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> pause_ms{50, 600};
  // Commits every 400 ms: most kills land while the subscriber has seen events the
  // store has not committed, which a restart numbers anew.
  std::ofstream{config_} << R"({
    "heartbeat": {"interval": "300ms", "timeout": "3s", "check_interval": "300ms",
                  "max_missed": 2, "lag_grace": "1s"},
    "store": {"batch_interval": "400ms", "batch_size": 100000},
    "log": {"level": "info"}})";
  auto* s = &supervise();
  ASSERT_NE(port_, 0);
  auto port = port_;
  auto db = dir_ + "/state/fleet.db";
  auto& fleet = agents("n1", 100, "w", {"--work", "cycle"});
  ASSERT_TRUE(eventually(
      [&] {
        auto c = counts();
        return c && c->registered == 100;
      },
      20s));
  ASSERT_TRUE(eventually([&] { return !stored_seqs(db).empty(); }, 10s)); // a commit
  // A subscriber that stays through every crash: it resumes from the last seq it saw.
  caf::scoped_actor self{sys_};
  stream_reader reader;
  auto subscribe = [&](int round) -> caf::expected<supervisor_gate> {
    auto sup = reach_supervisor(sys_, "127.0.0.1", port_);
    if (!sup)
      return sup;
    subscription_request req;
    if (round > 0) {
      req.from_seq = reader.seen;
      req.epoch = reader.epoch;
    }
    reader.where = "round " + std::to_string(round);
    self->request(*sup, 5s, std::move(req))
        .receive(
            [&](snapshot& snap) {
              EXPECT_TRUE(snap.missed == 0 || snap.complete) << reader.where;
              if (round > 0) {
                EXPECT_NE(snap.epoch, reader.epoch) << reader.where;
              }
              reader.take(snap);
            },
            [&](caf::error& err) { ADD_FAILURE() << sys_.render(err); });
    return sup;
  };
  auto sup = subscribe(0);
  ASSERT_TRUE(sup) << sys_.render(sup.error());
  uint64_t last = 0;
  uint64_t went_on = 0; // resumes without a resync
  for (int round = 1; round <= 20; ++round) {
    // Not a wait for a timer: the kill lands at a random moment of the live workload
    // (mid-batch, mid-commit), which is what the test is about.
    reader.read(self, *sup, std::chrono::milliseconds(pause_ms(rng)));
    s->signal(SIGKILL);
    s->wait(5s);
    reader.read(self, *sup, std::chrono::milliseconds(100)); // what was on its way
    auto seqs = stored_seqs(db);
    ASSERT_FALSE(seqs.empty()) << "round " << round;
    // Every committed event is there: 1 .. newest, no gap, no repeat.
    for (size_t i = 0; i < seqs.size(); ++i)
      ASSERT_EQ(seqs[i], i + 1) << "round " << round;
    EXPECT_GE(seqs.back(), last) << "round " << round;
    last = seqs.back();
    s = &supervise(port);
    ASSERT_EQ(port_, port) << s->err();
    // Either the stream goes on after the seq it saw, without a gap (it saw no event
    // the crash lost), or it is told what it missed and resyncs: never a silent skip.
    auto resyncs = reader.resyncs;
    sup = subscribe(round);
    ASSERT_TRUE(sup) << sys_.render(sup.error());
    went_on += reader.resyncs == resyncs ? 1 : 0;
  }
  // The fleet goes quiet (its node is gone: offline), and then the subscriber holds
  // exactly the supervisor's record, and the store the same.
  fleet.signal(SIGKILL);
  fleet.wait(5s);
  reader.read(self, *sup, std::chrono::milliseconds(1500));
  auto truth = std::optional<std::vector<agent_status>>{};
  self->request(*sup, 5s, status_atom::value)
      .receive([&](std::vector<agent_status>& xs) { truth = std::move(xs); },
               [&](caf::error& err) { ADD_FAILURE() << sys_.render(err); });
  ASSERT_TRUE(truth);
  fleet_model record;
  for (auto& a : *truth)
    record[a.id] = {to_string(a.state), a.version};
  EXPECT_EQ(record.size(), 100u);
  EXPECT_EQ(reader.model, record);
  EXPECT_GT(reader.resyncs,
            1u); // beyond the first snapshot: crashes lost events it saw
  EXPECT_EQ(stored_agents(db), record);
  std::printf("[ measured ] 20 supervisor kills: %llu events committed, none lost; the "
              "subscriber read %llu events, went on without a gap %llu times and "
              "resynced %llu times\n",
              static_cast<unsigned long long>(last),
              static_cast<unsigned long long>(reader.events),
              static_cast<unsigned long long>(went_on),
              static_cast<unsigned long long>(reader.resyncs - 1));
}
