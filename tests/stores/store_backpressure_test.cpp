// A store that is slow but working, in real time (DESIGN §14): every event not yet
// committed counts against one bound, so the supervisor's memory stays flat however
// long the store lags; what did not fit is dropped and counted, and once the store
// catches up its agents table is repaired to equal the record.
//
// VIGIL_BACKPRESSURE_SECONDS sets how long the load runs (60 by default);
// VIGIL_BACKPRESSURE_BUFFER the bound (5000), to see by hand what a large one costs.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "support/scratch_dir.hpp"
#include "support/stored_record.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/stores/fleet_store.hpp"
#include "vigil/supervisors/supervisor.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using s = agent_state;
using vigil::test::fleet_model;
using vigil::test::stored_agents;

namespace {

/// An SQLite store whose commits take `delay` longer: slow, never failing.
class slow_store : public fleet_store {
public:
  explicit slow_store(std::shared_ptr<fleet_store> inner) : inner_(std::move(inner)) {}

  std::atomic<int> delay_ms{0};

  std::string describe() const override { return "slow " + inner_->describe(); }
  caf::expected<stored_fleet> load() override { return inner_->load(); }
  caf::expected<uint64_t> begin_epoch() override { return inner_->begin_epoch(); }
  caf::error commit(const std::vector<event>& events, time_point origin) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
    return inner_->commit(events, origin);
  }
  caf::error repair(const std::vector<stored_agent>& agents, uint64_t as_of_seq,
                    time_point origin) override {
    return inner_->repair(agents, as_of_seq, origin);
  }

private:
  std::shared_ptr<fleet_store> inner_;
};

size_t rss_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

struct config : caf::actor_system_config {
  config() { register_types(*this); }
};

} // namespace

TEST(StoreBackpressure,
     ASlowStoreKeepsTheSupervisorBoundedAndIsRepairedWhenItCatchesUp) {
  auto seconds = 60;
  if (auto x = std::getenv("VIGIL_BACKPRESSURE_SECONDS"))
    seconds = std::max(5, std::atoi(x));
  vigil::test::scratch_dir scratch;
  config cfg;
  caf::actor_system sys{cfg};
  supervisor_settings settings;
  settings.store.kind = store_kind::sqlite;
  settings.store.path = scratch / "fleet.db";
  settings.store.buffer = 5000;
  if (auto x =
          std::getenv("VIGIL_BACKPRESSURE_BUFFER")) // by hand: how it grows without
    settings.store.buffer = std::strtoull(x, nullptr, 10);
  settings.history = 4096;
  auto inner = open_store(settings.store);
  ASSERT_TRUE(inner) << sys.render(inner.error());
  auto store = std::make_shared<slow_store>(*inner);
  store->delay_ms = 25; // about 10,000 events a second in batches of 256
  auto sup = spawn_supervisor(sys, settings, store);
  ASSERT_TRUE(sup) << sys.render(sup.error());
  caf::scoped_actor self{sys};
  constexpr size_t n = 100;
  std::vector<life_token> tokens(n);
  std::vector<uint64_t> versions(n, 0);
  for (size_t i = 0; i < n; ++i) {
    registration reg;
    reg.id = "a" + std::to_string(i);
    self->request(*sup, 10s, reg)
        .receive([&](registration_ack& ack) { tokens[i] = ack.token; },
                 [&](caf::error& err) { FAIL() << sys.render(err); });
  }
  for (size_t i = 0; i < n; ++i) {
    transition_report rep;
    rep.id = "a" + std::to_string(i);
    rep.token = tokens[i];
    rep.from = s::spawning;
    rep.to = s::idle;
    rep.version = ++versions[i];
    self->request(*sup, 10s, std::move(rep))
        .receive([] {}, [&](caf::error& err) { FAIL() << sys.render(err); });
  }
  // Every agent flips busy <-> idle, a wave of 100 requests in flight at a time:
  // several times what the store commits.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> refused{0};
  auto load = sys.spawn([&, sup = *sup](caf::event_based_actor* gen) {
    auto round = std::make_shared<uint64_t>(0);
    auto wave = std::make_shared<std::function<void()>>();
    // The function holds itself weakly (no cycle: the pending answers hold it).
    std::weak_ptr<std::function<void()>> weak = wave;
    *wave = [=, &stop, &refused, &tokens, &versions] {
      auto wave = weak.lock();
      if (stop || !wave)
        return;
      auto pending = std::make_shared<size_t>(n);
      auto busy = ++*round % 2 == 1;
      for (size_t i = 0; i < n; ++i) {
        transition_report rep;
        rep.id = "a" + std::to_string(i);
        rep.token = tokens[i];
        rep.from = busy ? s::idle : s::busy;
        rep.to = busy ? s::busy : s::idle;
        rep.version = ++versions[i];
        gen->request(sup, caf::infinite, std::move(rep))
            .then(
                [=] {
                  if (--*pending == 0)
                    (*wave)();
                },
                [=, &refused](caf::error&) {
                  ++refused;
                  if (--*pending == 0)
                    (*wave)();
                });
      }
    };
    (*wave)();
  });
  auto stats = [&] {
    supervisor_stats x;
    self->request(*sup, 10s, stats_atom::value)
        .receive([&](supervisor_stats& y) { x = std::move(y); },
                 [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
    return x;
  };
  auto start = std::chrono::steady_clock::now();
  size_t rss_warm = 0, rss_max = 0;
  uint64_t worst_pending = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(seconds)) {
    std::this_thread::sleep_for(100ms); // sampling a real-time load, not a timer
    worst_pending = std::max(worst_pending, stats().store_pending);
    if (rss_warm == 0 && std::chrono::steady_clock::now() - start >= 5s)
      rss_warm = rss_bytes(); // the history is full by now
    rss_max = std::max(rss_max, rss_bytes());
  }
  stop = true;
  self->wait_for(load);
  EXPECT_EQ(refused.load(), 0u);
  auto during = stats();
  std::printf("[ measured ] %d s against a store 25 ms per commit: %llu events, %llu "
              "committed, %llu dropped; at most %llu waiting (bound %zu); RSS %.1f MB "
              "after 5 s, at most %.1f MB\n",
              seconds, static_cast<unsigned long long>(during.last_seq),
              static_cast<unsigned long long>(during.store_committed),
              static_cast<unsigned long long>(during.store_dropped),
              static_cast<unsigned long long>(worst_pending), settings.store.buffer,
              rss_warm / 1e6, rss_max / 1e6);
  EXPECT_GT(during.store_dropped, 0u); // the load was more than the store could take
  EXPECT_LE(worst_pending, settings.store.buffer);
  // The stated bound: events waiting for the store are at most `buffer` (5,000 here,
  // a few MB), so RSS stays within 32 MB of where it was after 5 s.
#if !defined(__SANITIZE_ADDRESS__) // ASan keeps freed memory in its quarantine
  EXPECT_LT(rss_max - rss_warm, size_t{32} << 20);
#endif
  // The store catches up; the record and the table agree again.
  store->delay_ms = 0;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  auto after = stats();
  while ((after.store_unrepaired > 0 || after.store_pending > 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms); // polling a real store, bounded
    after = stats();
  }
  EXPECT_GE(after.store_repairs, 1u);
  EXPECT_EQ(after.store_unrepaired, 0u);
  EXPECT_EQ(after.store_pending, 0u);
  std::vector<agent_status> truth;
  self->request(*sup, 10s, status_atom::value)
      .receive([&](std::vector<agent_status>& xs) { truth = std::move(xs); },
               [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  fleet_model record;
  for (auto& a : truth)
    record[a.id] = {to_string(a.state), a.version};
  EXPECT_EQ(record.size(), n);
  EXPECT_EQ(stored_agents(settings.store.path), record);
  self->send_exit(*sup, caf::exit_reason::user_shutdown);
}
