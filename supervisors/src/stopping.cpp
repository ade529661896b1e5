// An orderly stop (`stop_atom`): the process's own agents end first and their ends are
// recorded, then the store writer commits everything and ends, then the supervisor
// answers and quits. Nothing a peer sends can start it (DESIGN §11).
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <spdlog/logger.h>

#include "supervisor_state.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil::detail {

namespace {

/// How long a stop waits for agents and the writer before it ends anyway: an agent
/// actor ends at its next message, a writer after one last commit (which the store
/// bounds by `store.reply_timeout`).
duration stop_grace(const supervisor_state& st) {
  return st.cfg.store.reply_timeout + std::chrono::seconds(5);
}

void finish(self_ptr self, const char* how) {
  auto& st = self->state;
  auto order = std::move(st.stopping);
  auto stats = stats_of(self);
  st.log->info("supervisor: stopped ({}): events up to seq {}, {} committed to the "
               "store, {} dropped",
               how, stats.last_seq, stats.store_committed_seq, stats.store_dropped);
  for (auto& rp : order->waiting)
    rp.deliver(stats);
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
  st.log->warn("supervisor: stop took longer than {}: {} agent actors had not ended, "
               "the store writer {}; stopping anyway",
               format_duration(stop_grace(st)), st.stopping->agents.size(),
               st.store_writer ? "had not ended" : "none");
  send_batches(self);
  finish(self, "timed out");
}

} // namespace vigil::detail
