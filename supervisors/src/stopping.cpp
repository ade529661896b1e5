// An orderly stop (`stop_atom`): the process's own agents end first and their ends are
// recorded, then the store writer commits everything and ends, then the supervisor
// answers and quits. Nothing a peer sends can start it (DESIGN §11).
#include <caf/actor_cast.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil::detail {

namespace {

/// How long a stop waits for agents and the writer before it ends anyway: an agent
/// actor ends at its next message, a writer after one last commit (which the store
/// bounds by `store.reply_timeout`).
duration stop_grace(const supervisor_state& st) {
  return st.cfg.store.reply_timeout + std::chrono::seconds(5);
}

/// Answers everybody who waits and quits. `problem` (if any) goes to them instead of
/// the figures: the stop did not end in order.
void finish(self_ptr self, const char* how, std::string problem = {}) {
  auto& st = self->state;
  // Events of remote agents may still have come in while the writer made its last
  // commit: subscribers get them; the store cannot any more, and the figures say so.
  send_batches(self);
  auto order = std::move(st.stopping);
  auto stats = stats_of(self);
  bool stored_all = !st.store_writer || stats.store_committed_seq == stats.last_seq;
  if (problem.empty() && !stored_all)
    problem =
        fmt::format("the store has events up to seq {} of {} ({} dropped)",
                    stats.store_committed_seq, stats.last_seq, stats.store_dropped);
  if (problem.empty())
    st.log->info("supervisor: stopped ({}): events up to seq {}{}", how, stats.last_seq,
                 st.store_writer ? ", all in the store" : "");
  else
    st.log->warn("supervisor: stopped ({}), not in order: {}", how, problem);
  for (auto& rp : order->waiting) {
    if (problem.empty())
      rp.deliver(stats);
    else
      rp.deliver(caf::make_error(caf::sec::runtime_error,
                                 "the supervisor did not stop in order: " + problem));
  }
  self->quit(caf::exit_reason::user_shutdown);
}

/// Every local agent has ended: hand the last events over and let the writer end.
void stop_writer(self_ptr self) {
  auto& st = self->state;
  send_batches(self); // subscribers and the writer get every event up to here
  if (!st.store_writer) {
    finish(self, "no store");
    return;
  }
  self->monitor(st.store_writer);
  // Behind the last events in its mailbox: it takes them, commits, then ends.
  caf::anon_send_exit(st.store_writer, caf::exit_reason::user_shutdown);
}

} // namespace

caf::typed_response_promise<supervisor_stats> on_stop(self_ptr self) {
  auto& st = self->state;
  auto sender = self->current_sender();
  auto rp = self->make_response_promise<supervisor_stats>();
  if (!sender || sender->node() != self->node()) {
    log_refusal(self, "stop", "stop request from another process refused");
    rp.deliver(
        make_error(errc::unauthorized, std::string{"stop"},
                   std::string{"only the supervisor's own process may stop it"}));
    return rp;
  }
  if (st.stopping) { // a second caller waits for the same end
    st.stopping->waiting.push_back(std::move(rp));
    return rp;
  }
  st.stopping = std::make_unique<supervisor_state::stop_order>();
  st.stopping->waiting.push_back(rp);
  for (auto& [addr, key] : st.owners) {
    auto* rec = st.agents.find(key);
    if (!rec || rec->owner_down || !rec->owner || addr.node() != self->node())
      continue;
    if (st.stopping->agents.insert(addr).second)
      caf::anon_send_exit(rec->owner, caf::exit_reason::user_shutdown);
  }
  st.log->info("supervisor: stopping: ending {} agent actors of this process, then the "
               "store writer",
               st.stopping->agents.size());
  self->delayed_send(self, stop_grace(st), stop_atom::value,
                     self->clock().now() + stop_grace(st));
  if (st.stopping->agents.empty())
    stop_writer(self);
  return rp;
}

void on_stop_down(self_ptr self, const caf::down_msg& dm) {
  auto& order = *self->state.stopping;
  if (self->state.store_writer && dm.source == self->state.store_writer.address()) {
    order.writer_gone = true;
    finish(self, "every event handed to the store");
    return;
  }
  if (order.agents.erase(dm.source) > 0 && order.agents.empty())
    stop_writer(self);
}

void on_stop_deadline(self_ptr self, time_point) {
  auto& st = self->state;
  if (!st.stopping)
    return;
  finish(self, "timed out",
         fmt::format("after {}, {} agent actors of this process had not ended{}",
                     format_duration(stop_grace(st)), st.stopping->agents.size(),
                     st.store_writer
                         ? " and the store writer had not committed and ended"
                         : ""));
}

} // namespace vigil::detail
