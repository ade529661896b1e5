// Parts of the soak benchmark: a store that stalls on demand, a subscriber that checks
// its stream as it reads (and can fall behind on purpose), the per-minute table, and
// the final comparisons.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <sqlite3.h>

#include "bench_support.hpp"
#include "vigil/stores/fleet_store.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::bench {

/// A store whose commits hang while a stall lasts (slow disk, locked file): the writer
/// waits, the supervisor's bound fills, and then the store works again.
class stalling_store : public fleet_store {
public:
  explicit stalling_store(std::shared_ptr<fleet_store> inner)
      : inner_(std::move(inner)) {}

  void stall_for(std::chrono::seconds d) {
    until_ = std::chrono::steady_clock::now().time_since_epoch().count() +
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(d).count();
  }

  std::string describe() const override { return inner_->describe(); }
  caf::expected<stored_fleet> load() override { return inner_->load(); }
  caf::expected<uint64_t> begin_epoch() override { return inner_->begin_epoch(); }
  caf::error commit(const std::vector<event>& events, time_point origin) override {
    while (std::chrono::steady_clock::now().time_since_epoch().count() < until_)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return inner_->commit(events, origin);
  }
  caf::error repair(const std::vector<stored_agent>& agents, uint64_t as_of_seq,
                    time_point origin) override {
    return inner_->repair(agents, as_of_seq, origin);
  }

private:
  std::shared_ptr<fleet_store> inner_;
  std::atomic<int64_t> until_{0};
};

/// id -> (state, version).
using fleet_model = std::map<std::string, std::pair<std::string, uint64_t>>;

using lag_atom = caf::atom_constant<caf::atom("lag")>;

struct checker_state {
  static inline const char* name = "bench.stream_checker";
  fleet_model model;
  uint64_t epoch = 0;
  uint64_t seen = 0;
  uint64_t events = 0;
  uint64_t resyncs = 0;
  uint64_t gaps = 0; ///< Seqs skipped or versions that do not follow: must stay 0.
  bool lagging = false;
};

/// A subscriber that applies its snapshot and every event, counting anything that
/// does not follow. With `lags`, it stops acknowledging for a minute (falling behind
/// the history), then reads on and is resynced.
inline caf::behavior stream_checker(caf::stateful_actor<checker_state>* self,
                                    supervisor_actor sup, bool lags) {
  auto take = [self](snapshot& snap) {
    auto& st = self->state;
    st.epoch = snap.epoch;
    if (!snap.complete)
      return;
    if (st.seen > 0)
      ++st.resyncs;
    st.seen = snap.seq;
    st.model.clear();
    for (auto& a : snap.agents)
      st.model[a.id] = {to_string(a.state), a.version};
  };
  self->request(sup, caf::infinite, subscription_request{}).then([=](snapshot& snap) {
    take(snap);
    if (lags) {
      self->state.lagging = true;
      self->delayed_send(self, std::chrono::seconds(60), lag_atom::value);
    }
  });
  return {
      [=](event_batch& b) {
        auto& st = self->state;
        for (auto& e : b.events) {
          if (e.seq != st.seen + 1)
            ++st.gaps;
          st.seen = e.seq;
          ++st.events;
          if (e.kind == event_kind::registered) {
            st.model[e.agent] = {to_string(e.to), e.version};
          } else if (e.kind == event_kind::purged) {
            st.model.erase(e.agent);
          } else if (e.kind == event_kind::transition) {
            auto& m = st.model[e.agent];
            if (e.version != m.second + 1)
              ++st.gaps;
            m = {to_string(e.to), e.version};
          }
        }
        if (!st.lagging)
          self->send(sup, ack_atom::value, st.seen);
      },
      [=](snapshot& snap) { // a resync after falling behind
        take(snap);
        self->send(sup, ack_atom::value, self->state.seen);
      },
      [=](lag_atom) {
        self->state.lagging = false;
        self->send(sup, ack_atom::value, self->state.seen);
      },
      [=](get_atom) {
        auto& st = self->state;
        return std::make_tuple(st.events, st.resyncs, st.gaps, st.seen);
      },
      [=](get_atom, bool) { return self->state.model; },
  };
}

inline caf::actor spawn_stream_checker(caf::actor_system& sys, supervisor_actor sup,
                                       bool lags) {
  return sys.spawn(stream_checker, std::move(sup), lags);
}

struct checker_counts {
  uint64_t events = 0, resyncs = 0, gaps = 0, seen = 0;
};

inline checker_counts checker_report(caf::scoped_actor& self, const caf::actor& c) {
  checker_counts x;
  self->request(c, std::chrono::seconds(30), get_atom::value)
      .receive(
          [&](uint64_t events, uint64_t resyncs, uint64_t gaps, uint64_t seen) {
            x = {events, resyncs, gaps, seen};
          },
          [](caf::error&) {});
  return x;
}

inline fleet_model checker_model(caf::scoped_actor& self, const caf::actor& c) {
  fleet_model x;
  self->request(c, std::chrono::seconds(30), get_atom::value, true)
      .receive([&](fleet_model& m) { x = std::move(m); }, [](caf::error&) {});
  return x;
}

/// The supervisor's record: status of every agent.
inline fleet_model record_of(caf::scoped_actor& self, const supervisor_actor& sup) {
  fleet_model x;
  self->request(sup, caf::infinite, status_atom::value)
      .receive(
          [&](std::vector<agent_status>& xs) {
            for (auto& a : xs)
              x[a.id] = {to_string(a.state), a.version};
          },
          [](caf::error&) {});
  return x;
}

/// The store's agents table.
inline fleet_model stored_agents(const std::string& path) {
  fleet_model xs;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT id, state, version FROM agents", -1, &q,
                           nullptr) == SQLITE_OK)
      while (sqlite3_step(q) == SQLITE_ROW)
        xs[reinterpret_cast<const char*>(sqlite3_column_text(q, 0))] = {
            reinterpret_cast<const char*>(sqlite3_column_text(q, 1)),
            static_cast<uint64_t>(sqlite3_column_int64(q, 2))};
    sqlite3_finalize(q);
  }
  sqlite3_close(db);
  return xs;
}

/// Waits (bounded: 3 minutes) until the stream is still for 2 s, the checker has read
/// all of it, and the store has committed everything and repaired every drop.
inline bool settle(caf::scoped_actor& self, const supervisor_actor& sup,
                   const caf::actor& checker) {
  auto deadline = wall::now() + std::chrono::minutes(3);
  uint64_t last = ~uint64_t{0};
  int still = 0;
  while (wall::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::seconds(1)); // a real store, by polling
    auto x = stats(self, sup);
    auto c = checker_report(self, checker);
    bool done = x.store_pending == 0 && x.store_unrepaired == 0 && c.seen == x.last_seq;
    still = done && x.last_seq == last ? still + 1 : 0;
    last = x.last_seq;
    if (still >= 2)
      return true;
  }
  return false;
}

/// The per-minute table (Markdown).
struct soak_table {
  void header() const {
    std::printf("| min | agents | RSS MB | history | store backlog | dropped | "
                "unrepaired | events | committed seq | subscribers | names | checker "
                "events / resyncs / gaps |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  }

  template <class Fleet>
  void row(int minute, const supervisor_stats& x, size_t rss, size_t names,
           const checker_counts& c, const Fleet&) const {
    std::printf(
        "| %d | %s | %.1f | %s | %s | %s | %s | %s | %s | %llu | %zu | %s / %s / "
        "%s |\n",
        minute, grouped(x.agents).c_str(), rss / 1e6, grouped(x.history).c_str(),
        grouped(x.store_pending).c_str(), grouped(x.store_dropped).c_str(),
        grouped(x.store_unrepaired).c_str(), grouped(x.last_seq).c_str(),
        grouped(x.store_committed_seq).c_str(),
        static_cast<unsigned long long>(x.subscribers), names,
        grouped(c.events).c_str(), grouped(c.resyncs).c_str(), grouped(c.gaps).c_str());
    std::fflush(stdout);
  }
};

} // namespace vigil::bench
