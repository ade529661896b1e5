#include "vigil/stores/store_writer.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/logger.h>

#include "vigil/messages/backoff.hpp"
#include "vigil/messages/log.hpp"

namespace vigil {

namespace {

using commit_atom = caf::atom_constant<caf::atom("st_commit")>;

// The retries of a failing store wait 100 ms, 200 ms, ... up to 5 s.
constexpr auto min_backoff = std::chrono::milliseconds(100);
constexpr auto max_backoff = std::chrono::seconds(5);

/// The public interface and the writer's own timer, which only it sends itself.
using writer_actor = store_writer_actor::extend<caf::reacts_to<commit_atom>>;

struct writer_state {
  static inline const char* name = "vigil.store_writer";
  std::shared_ptr<fleet_store> store;
  store_settings cfg;
  caf::actor report_to;
  time_point origin;
  std::deque<event> buffer;
  std::optional<store_repair> repair; ///< Applied once the events before it are in.
  store_progress progress;
  bool commit_armed = false; ///< A commit message is on its way.
  /// Its `failures()` are zero while the store works; else a retry is armed.
  backoff retry{min_backoff, max_backoff};
  uint64_t dropped_reported = 0;
  std::shared_ptr<spdlog::logger> log;
};

using self_ptr = writer_actor::stateful_pointer<writer_state>;

bool failing(self_ptr self) {
  return self->state.retry.failures() > 0;
}

void report(self_ptr self) {
  auto& st = self->state;
  st.progress.pending = st.buffer.size();
  // As ourselves: the supervisor takes progress from its writer only. `send_as`, as
  // typed actors may `send` only to typed ones, and the supervisor's handle is not.
  if (st.report_to)
    caf::send_as(caf::actor_cast<caf::actor>(self), st.report_to, st.progress);
}

void arm(self_ptr self, duration after) {
  auto& st = self->state;
  if (st.commit_armed)
    return;
  st.commit_armed = true;
  self->delayed_send(self, after, commit_atom::value);
}

/// A failed attempt (what: "commit of 12 events", "repair"): the work stays where it
/// is, and a retry is armed with backoff.
void failed(self_ptr self, const std::string& what, const caf::error& err) {
  auto& st = self->state;
  auto text = self->system().render(err);
  if (!failing(self))
    st.log->error("store {}: {} failed: {}; keeping it (buffer holds {} of at most {}) "
                  "and retrying with backoff",
                  st.store->describe(), what, text, st.buffer.size(), st.cfg.buffer);
  else
    st.log->debug("store {}: retry failed: {}", st.store->describe(), text);
  auto pause = st.retry.next();
  st.progress.failing = true;
  report(self);
  arm(self, pause);
}

void worked(self_ptr self) {
  auto& st = self->state;
  if (failing(self))
    st.log->info("store {} works again; {} buffered events follow in order",
                 st.store->describe(), st.buffer.size());
  st.retry.reset();
  st.progress.failing = false;
}

/// Commits the buffer in batches of at most `batch_size`; `all`: also a last short
/// one. A pending repair goes in between the events up to its seq and the later ones.
/// On a failure the work stays at the front, and a retry is armed with backoff.
void commit(self_ptr self, bool all) {
  auto& st = self->state;
  auto n = st.cfg.batch_size;
  for (;;) {
    if (st.repair &&
        (st.buffer.empty() || st.buffer.front().seq > st.repair->as_of_seq)) {
      if (auto err =
              st.store->repair(st.repair->agents, st.repair->as_of_seq, st.origin)) {
        failed(self, "repair of the agents table", err);
        return;
      }
      worked(self);
      st.log->warn("store {}: agents table repaired from the supervisor's record ({} "
                   "agents as of seq {}) after {} dropped events",
                   st.store->describe(), st.repair->agents.size(), st.repair->as_of_seq,
                   st.repair->drops);
      ++st.progress.repairs;
      st.progress.repaired_drops = st.repair->drops;
      st.repair.reset();
      continue;
    }
    if (st.buffer.empty() || !(all || st.buffer.size() >= n))
      break;
    auto take = std::min(n, st.buffer.size());
    if (st.repair) // not past the repair's seq
      take = static_cast<size_t>(
          std::find_if(st.buffer.begin(),
                       st.buffer.begin() + static_cast<ptrdiff_t>(take),
                       [&](const event& e) { return e.seq > st.repair->as_of_seq; }) -
          st.buffer.begin());
    std::vector<event> batch(st.buffer.begin(),
                             st.buffer.begin() + static_cast<ptrdiff_t>(take));
    if (auto err = st.store->commit(batch, st.origin)) {
      failed(self, "commit of " + std::to_string(take) + " events", err);
      return;
    }
    worked(self);
    auto now = self->clock().now();
    st.progress.max_lag = std::max(st.progress.max_lag, now - batch.front().at);
    st.progress.committed += take;
    st.progress.committed_seq = batch.back().seq;
    st.buffer.erase(st.buffer.begin(),
                    st.buffer.begin() + static_cast<ptrdiff_t>(take));
  }
  report(self);
  if (!st.buffer.empty())
    arm(self, st.cfg.batch_interval); // the rest closes by time
}

void take(self_ptr self, std::vector<event>& events) {
  auto& st = self->state;
  for (auto& e : events)
    st.buffer.push_back(std::move(e));
  if (st.buffer.size() > st.cfg.buffer) {
    auto over = st.buffer.size() - st.cfg.buffer;
    st.buffer.erase(st.buffer.begin(),
                    st.buffer.begin() + static_cast<ptrdiff_t>(over));
    st.progress.dropped += over;
    // Said once per thousand lost, not per event: loud, and not a log flood.
    if (st.progress.dropped - st.dropped_reported >= 1000 || st.dropped_reported == 0) {
      st.log->error("store {}: buffer bound {} reached; {} events dropped so far (the "
                    "oldest ones not yet committed)",
                    st.store->describe(), st.cfg.buffer, st.progress.dropped);
      st.dropped_reported = st.progress.dropped;
    }
  }
  if (failing(self))
    return; // a retry is armed
  if (st.buffer.size() >= st.cfg.batch_size)
    commit(self, false);
  if (!st.buffer.empty())
    arm(self, st.cfg.batch_interval);
}

writer_actor::behavior_type writer(self_ptr self, std::shared_ptr<fleet_store> store,
                                   store_settings cfg, caf::actor report_to,
                                   time_point origin) {
  auto& st = self->state;
  st.store = std::move(store);
  st.cfg = std::move(cfg);
  st.report_to = std::move(report_to);
  st.origin = origin;
  st.log = log();
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    if (!st.buffer.empty() ||
        st.repair) { // one last attempt; no retries on the way out
      st.retry.reset();
      commit(self, true);
      if (!st.buffer.empty())
        st.log->error("store {}: {} events could not be committed before stopping",
                      st.store->describe(), st.buffer.size());
    }
    self->quit(msg.reason);
  });
  return {
      [self](store_atom, std::vector<event>& events) { take(self, events); },
      [self](store_repair& x) {
        auto& st = self->state;
        st.repair = std::move(x); // a newer record replaces one not applied yet
        if (!failing(self))       // else a retry is armed
          commit(self, true);
      },
      [self](commit_atom) {
        self->state.commit_armed = false;
        commit(self, true);
      },
  };
}

} // namespace

store_writer_actor spawn_store_writer(caf::actor_system& sys,
                                      std::shared_ptr<fleet_store> store,
                                      const store_settings& cfg, caf::actor report_to,
                                      time_point origin, bool detached) {
  if (detached)
    return sys.spawn<caf::detached>(writer, std::move(store), cfg, std::move(report_to),
                                    origin);
  return sys.spawn(writer, std::move(store), cfg, std::move(report_to), origin);
}

} // namespace vigil
