// What the benchmark programs share: the actor system they run on, RSS, quantiles,
// registering a fleet from one actor, and the one table row format `bench/run-all`
// collects (figure | target | measured | reference | ratio).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#ifdef VIGIL_WITH_JEMALLOC
#  include <jemalloc/jemalloc.h>
#endif

#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "vigil/actors/fleet_scheduler.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::bench {

using namespace std::chrono_literals;
using wall = std::chrono::steady_clock;

/// Two workers, as on the target machine, on vigil's fleet scheduler (FIFO, like
/// CAF's `sharing`, without a shared lock per job). CAF's work-stealing default runs
/// freshly woken actors first (LIFO) and spins when idle, which at 100,000+ agents left
/// old jobs (a pacer tick, a deadline) waiting for seconds (BENCHMARKS.md). A finite
/// max-throughput: an actor with a full mailbox yields its thread after this many
/// messages. `VIGIL_BENCH_POLICY=sharing` (or `stealing`) runs on CAF's own, to
/// compare.
struct bench_config : caf::actor_system_config {
  bench_config() {
    set("scheduler.max-threads", 2);
    set("scheduler.max-throughput", 300);
    if (auto p = std::getenv("VIGIL_BENCH_POLICY"))
      set("scheduler.policy", caf::atom_from_string(p));
    else
      use_fleet_scheduler(*this);
    register_types(*this);
  }
};

/// The scheduler the benchmark programs run on, for their tables.
inline std::string scheduler_name() {
  auto p = std::getenv("VIGIL_BENCH_POLICY");
  return p ? std::string{"CAF "} + p : std::string{"vigil fleet scheduler"};
}

inline size_t rss_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

/// Bytes the allocator has handed out and not had back: RSS less what malloc keeps
/// for reuse (after a burst of messages, say).
inline size_t heap_in_use() {
#ifdef VIGIL_WITH_JEMALLOC
  uint64_t epoch = 1; // jemalloc's statistics are a snapshot, taken at each new epoch
  auto len = sizeof epoch;
  mallctl("epoch", &epoch, &len, &epoch, len);
  size_t allocated = 0;
  len = sizeof allocated;
  return mallctl("stats.allocated", &allocated, &len, nullptr, 0) == 0 ? allocated : 0;
#else
  auto m = mallinfo2();
  return m.uordblks + m.hblkhd; // large blocks malloc maps from the OS count too
#endif
}

inline double seconds_since(wall::time_point t0) {
  return std::chrono::duration<double>(wall::now() - t0).count();
}

/// The `q` quantile of `xs` (sorted in place); 0 when empty.
inline double quantile(std::vector<double>& xs, double q) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto i = static_cast<size_t>(q * static_cast<double>(xs.size() - 1) + 0.5);
  return xs[std::min(i, xs.size() - 1)];
}

/// The smallest 10 ms bucket edge below which `q` of a gap histogram lies.
inline double histogram_quantile_ms(const std::vector<uint64_t>& h, double q) {
  uint64_t total = 0;
  for (auto n : h)
    total += n;
  uint64_t seen = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    seen += h[i];
    if (total > 0 && static_cast<double>(seen) >= q * static_cast<double>(total))
      return static_cast<double>(i + 1) * 10;
  }
  return 0;
}

/// The beats of a measuring window: the supervisor's gap histogram after, less the
/// one before.
struct gap_window {
  std::vector<uint64_t> histogram; ///< 10 ms buckets, as in `supervisor_stats`.
  uint64_t beats = 0;
  double max_ms = 0; ///< Upper edge of the last bucket with a gap.
};

inline gap_window window_between(const std::vector<uint64_t>& before,
                                 const std::vector<uint64_t>& after) {
  gap_window w;
  w.histogram.resize(after.size());
  for (size_t i = 0; i < after.size(); ++i) {
    w.histogram[i] = after[i] - (i < before.size() ? before[i] : 0);
    w.beats += w.histogram[i];
    if (w.histogram[i] > 0)
      w.max_ms = static_cast<double>(i + 1) * 10;
  }
  return w;
}

/// What the targets assume: 1 Hz beats, offline 3 s after the last one.
inline supervisor_settings one_hertz_settings() {
  supervisor_settings s;
  s.heartbeat.interval = 1s;
  s.heartbeat.timeout = 3s;
  s.heartbeat.check_interval = 1s;
  s.heartbeat.max_missed = 1;
  return s;
}

/// "12,345,678": figures a person reads.
inline std::string grouped(double x, int decimals = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  std::string s = buf;
  auto dot = s.find('.');
  auto end = dot == std::string::npos ? s.size() : dot;
  size_t start = s[0] == '-' ? 1 : 0;
  for (auto i = end; i > start + 3; i -= 3)
    s.insert(i - 3, ",");
  return s;
}

/// One row of the table. `ratio`: measured over reference (or target), as the
/// program defines it; empty when there is none.
inline void row(const std::string& figure, const std::string& target,
                const std::string& measured, const std::string& reference = "",
                const std::string& ratio = "") {
  std::printf("| %s | %s | %s | %s | %s |\n", figure.c_str(), target.c_str(),
              measured.c_str(), reference.c_str(), ratio.c_str());
  std::fflush(stdout);
}

inline std::string ratio_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

/// Progress for long runs, on stderr (stdout carries the table rows).
template <class... Ts>
void progress(const char* fmt, Ts... xs) {
  std::fprintf(stderr, fmt, xs...);
  std::fputc('\n', stderr);
}

namespace detail {

/// Registers a group of ids with the supervisor and owns them, as the actor of a
/// small node would: `(index, ids)` -> `(index, keys, beat secrets)`.
inline caf::behavior registrar(caf::event_based_actor* self, supervisor_actor sup) {
  return {
      [=](uint64_t index, std::vector<std::string>& ids) {
        auto rp = self->make_response_promise();
        auto keys = std::make_shared<std::vector<uint64_t>>(ids.size());
        auto secrets = std::make_shared<std::vector<uint64_t>>(ids.size());
        auto left = std::make_shared<size_t>(ids.size());
        for (size_t i = 0; i < ids.size(); ++i) {
          registration reg;
          reg.id = ids[i];
          reg.type = "worker";
          reg.node = "bench";
          reg.state = agent_state::idle;
          reg.version = 1;
          self->request(sup, caf::infinite, std::move(reg))
              .then(
                  [=](registration_ack& ack) mutable {
                    (*keys)[i] = ack.key;
                    (*secrets)[i] = ack.beat_secret;
                    if (--*left == 0)
                      rp.deliver(index, *keys, *secrets);
                  },
                  [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
        }
      },
  };
}

} // namespace detail

/// A registered fleet without agent actors: its owners (keep them alive, or the
/// supervisor sees its agents die), the keys and the beat secrets, in the order of
/// the ids.
struct fleet_record {
  std::vector<caf::actor> owners;
  std::vector<uint64_t> keys;
  std::vector<uint64_t> secrets;

  /// A paced beat of the i-th agent.
  paced_beat beat(size_t i, agent_state state = agent_state::idle) const {
    return paced_beat{keys[i], secrets[i], state, 1};
  }
};

/// Registers `ids`, 100 to an owner actor (a supervisor keeps an owner's ids in a
/// list).
inline fleet_record register_fleet(caf::scoped_actor& self, const supervisor_actor& sup,
                                   const std::vector<std::string>& ids) {
  constexpr size_t group = 100;
  constexpr size_t window = 100; // groups in flight: bounded mailboxes
  fleet_record out;
  out.keys.resize(ids.size());
  out.secrets.resize(ids.size());
  size_t groups = (ids.size() + group - 1) / group, sent = 0, done = 0;
  while (done < groups) {
    while (sent < groups && sent - done < window) {
      auto owner = self->spawn(detail::registrar, sup);
      auto first = ids.begin() + static_cast<ptrdiff_t>(sent * group);
      auto last = ids.begin() +
                  static_cast<ptrdiff_t>(std::min(ids.size(), (sent + 1) * group));
      self->send(owner, uint64_t{sent}, std::vector<std::string>(first, last));
      out.owners.push_back(owner);
      ++sent;
    }
    self->receive(
        [&](uint64_t index, std::vector<uint64_t>& keys,
            std::vector<uint64_t>& secrets) {
          auto at = static_cast<ptrdiff_t>(index * group);
          std::copy(keys.begin(), keys.end(), out.keys.begin() + at);
          std::copy(secrets.begin(), secrets.end(), out.secrets.begin() + at);
          ++done;
        },
        [&](caf::error& err) {
          std::fprintf(stderr, "registration refused: %s\n",
                       self->system().render(err).c_str());
          std::exit(1);
        });
  }
  return out;
}

/// Registers `ids` with `self` as their owner, so that `self` may send their single
/// heartbeats and reports; the answers (tokens, beat secrets), in the order of the
/// ids. Keep this to thousands: an owner's ids are a list.
inline std::vector<registration_ack>
register_owned(caf::scoped_actor& self, const supervisor_actor& sup,
               const std::vector<std::string>& ids) {
  std::vector<registration_ack> acks;
  for (auto& id : ids) {
    registration reg;
    reg.id = id;
    reg.type = "worker";
    reg.node = "bench";
    reg.state = agent_state::idle;
    reg.version = 1;
    self->send(sup, std::move(reg));
  }
  for (size_t i = 0; i < ids.size(); ++i)
    self->receive([&](registration_ack& ack) { acks.push_back(ack); },
                  [&](caf::error& err) {
                    std::fprintf(stderr, "registration refused: %s\n",
                                 self->system().render(err).c_str());
                    std::exit(1);
                  });
  return acks; // answers come in order: one sender, one supervisor
}

/// Ends a fleet's owners (after the supervisor, so that it does not record them
/// all as killed).
inline void end_owners(caf::scoped_actor& self, fleet_record& fleet) {
  for (auto& o : fleet.owners)
    self->send_exit(o, caf::exit_reason::user_shutdown);
  fleet.owners.clear();
}

inline std::vector<std::string> fleet_ids(size_t n, const char* prefix = "agent-") {
  std::vector<std::string> ids;
  ids.reserve(n);
  for (size_t i = 0; i < n; ++i)
    ids.push_back(prefix + std::to_string(i));
  return ids;
}

inline supervisor_stats stats(caf::scoped_actor& self, const supervisor_actor& sup) {
  supervisor_stats x;
  self->request(sup, caf::infinite, stats_atom::value)
      .receive([&](supervisor_stats& s) { x = std::move(s); }, [](caf::error&) {});
  return x;
}

} // namespace vigil::bench
