// The supervisor's side of its store (DESIGN §10, §14): one bound over every event not
// yet committed, wherever it waits, and a repair of the stored agents table after
// events were dropped.
#include <algorithm>

#include <caf/send.hpp>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"

namespace vigil::detail {

namespace {

/// The row a store keeps for `rec` (times since the Unix epoch).
stored_agent stored_row(self_ptr self, const agent_record& rec) {
  auto& st = self->state;
  auto since = [&](time_point x) -> caf::optional<duration> {
    if (x == agent_record::none)
      return caf::none;
    return x - st.store_origin;
  };
  stored_agent a;
  a.id = rec.id;
  a.type = *rec.type;
  a.node = *rec.node;
  a.state = rec.state;
  a.version = rec.version;
  a.registered_at = rec.registered_at - st.store_origin;
  a.started_at = since(rec.started_at);
  a.ended_at = since(rec.ended_at);
  a.recovery_at = since(rec.recovery_at);
  a.reason = rec.reason;
  if (auto* err = rec.last_error())
    a.last_error = *err;
  a.token_digest = rec.token;
  if (rec.node_keyed)
    if (auto i = st.node_keys.find(rec.node.get()); i != st.node_keys.end())
      a.node_key_digest = i->second;
  if (auto* r = rec.restart()) {
    a.restarts = r->history.restarts;
    a.last_restart_reason = text_of(r->last_reason);
    if (auto* p = r->next.get()) {
      a.restart_due = p->due - st.store_origin;
      a.restart_attempt = p->attempt;
      a.restart_cause = text_of(p->cause);
    }
  }
  return a;
}

uint64_t drops(const supervisor_state& st) {
  return st.store_shed + st.store_seen.dropped;
}

} // namespace

void hand_to_store(self_ptr self) {
  auto& st = self->state;
  if (!st.store_writer)
    return;
  if (!st.store_out.empty()) {
    // Handed over and neither committed nor dropped, as of the writer's last report:
    // in its mailbox or its buffer. Together with the outbox, at most `buffer`.
    auto& w = st.store_seen;
    auto waiting = st.store_accepted - w.committed - w.dropped;
    auto room = st.cfg.store.buffer > waiting ? st.cfg.store.buffer - waiting : 0;
    if (st.store_out.size() > room) {
      // The newest go: the ones queued stay in order, and a repair makes good what the
      // agents table missed.
      auto over = st.store_out.size() - room;
      st.store_out.resize(room);
      st.store_shed += over;
      log_refusal(self, "store:shed",
                  fmt::format("store: {} events wait for a slow store (bound {}); {} "
                              "dropped so far, the agents table is repaired once it "
                              "catches up",
                              waiting, st.cfg.store.buffer, st.store_shed));
    }
    if (!st.store_out.empty()) {
      st.store_accepted += st.store_out.size();
      caf::anon_send(st.store_writer, store_atom::value, std::move(st.store_out));
      st.store_out.clear();
    }
  }
  // After drops, once the store works and has caught up (one repair at a time: each
  // is a copy of the record): the record as of now, behind the events queued.
  auto& w = st.store_seen;
  auto backlog = st.store_accepted - w.committed - w.dropped;
  if (drops(st) > st.store_repair_sent && !w.failing &&
      w.repaired_drops >= st.store_repair_sent &&
      (backlog == 0 || backlog * 2 < st.cfg.store.buffer)) {
    store_repair x;
    x.agents.reserve(st.agents.size());
    st.agents.for_each(
        [&](const agent_record& rec) { x.agents.push_back(stored_row(self, rec)); });
    x.as_of_seq = st.hub.last_seq();
    x.drops = drops(st);
    st.store_repair_sent = x.drops;
    caf::anon_send(st.store_writer, std::move(x));
  }
}

} // namespace vigil::detail
