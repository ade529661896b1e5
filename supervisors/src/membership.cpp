// Who is in the fleet: registration, ownership, death and retention (DESIGN §3, §7).
#include <algorithm>
#include <iterator>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/message.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"

namespace vigil::detail {

void adopt(self_ptr self, agent_record& rec, caf::actor owner) {
  auto& owners = self->state.owners;
  auto [first, last] = owners.equal_range(owner.address());
  if (first == last)
    self->monitor(owner); // once per actor: one down message tells about all its ids
  if (std::none_of(first, last, [&](auto& x) { return x.second == rec.key; }))
    owners.emplace(owner.address(), rec.key);
  rec.owner = std::move(owner);
  rec.owner_down = false;
}

void count_on_node(self_ptr self, const std::string* node, int by) {
  auto& st = self->state;
  auto& n = st.node_records[node];
  n = by > 0 ? n + 1 : n - 1;
  if (n == 0) {
    st.node_records.erase(node);
    st.node_keys.erase(node);
    st.node_health.erase(node);
  }
}

/// Removes a record and what points to it.
void forget(self_ptr self, agent_record& rec, bool keep_type) {
  auto& st = self->state;
  count_on_node(self, rec.node.get(), -1);
  if (!is_terminal(rec.state))
    count_live(self, rec.node.get(), -1);
  release_owner(self, rec);
  if (rec.armed_due != time_point::max())
    --st.liveness_timers; // its queued deadline will find no record: a no-op
  st.metrics.count_state(rec.type, rec.state, -1, keep_type);
  st.agents.remove(rec);
}

namespace {

// The error text of a crash: the words the actor died with when it gave some
// ("runtime_error: segmentation fault"), else CAF's rendering of the reason.
std::string failure_text(self_ptr self, const caf::error& reason) {
  auto& ctx = reason.context();
  if (code_of(reason) == errc::none && ctx.size() == 1 &&
      ctx.match_element<std::string>(0)) {
    auto rendered = self->system().render(reason); // "system_error(runtime_error, ...)"
    auto open = rendered.find('(');
    auto comma = rendered.find(',', open);
    auto code = open != std::string::npos && comma != std::string::npos
                    ? rendered.substr(open + 1, comma - open - 1)
                    : rendered;
    return code + ": " + ctx.get_as<std::string>(0);
  }
  return self->system().render(reason);
}

// Registration claims one of these states; the rest are decided, not claimed.
bool claimable(agent_state x) {
  return x == agent_state::spawning ||
         (phase_of(x) == agent_phase::running && x != agent_state::offline);
}

} // namespace

void release_owner(self_ptr self, agent_record& rec) {
  if (!rec.owner)
    return;
  auto& owners = self->state.owners;
  auto [first, last] = owners.equal_range(rec.owner.address());
  auto mine = std::find_if(first, last, [&](auto& x) { return x.second == rec.key; });
  if (mine != last)
    owners.erase(mine);
  rec.owner = nullptr;
}

void emit_record_event(self_ptr self, const agent_record& rec, event_kind kind,
                       std::string reason, const restart_made* restarted) {
  auto e = event_for(rec, kind, self->clock().now());
  e.reason = std::move(reason);
  if (restarted) {
    e.attempt = restarted->attempt;
    e.restarts = restarted->restarts;
    e.details = restarted->cause;
  } else if (auto* t = rec.restart()) {
    // Any registration carries the id's count: the store takes it from the event.
    e.restarts = t->history.restarts;
  }
  if (kind == event_kind::registered) { // for the store (DESIGN §11)
    e.token_digest = rec.token;
    if (rec.node_keyed)
      if (auto i = self->state.node_keys.find(rec.node.get());
          i != self->state.node_keys.end())
        e.node_key_digest = i->second;
  }
  emit(self, std::move(e));
}

namespace {

/// The answer that gives a life its proofs: its token (kept), a fresh beat secret, and
/// the supervisor's beat interval for its type (DESIGN §11).
registration_ack answer(self_ptr self, agent_record& rec, const life_token& token) {
  rec.beat_secret = random_u64();
  return registration_ack{rec.key, token, rec.beat_secret,
                          self->state.settings_of(*rec.type).heartbeat.interval};
}

/// A new token for `rec`: the only copy leaves with the answer.
life_token issue_token(agent_record& rec) {
  auto token = make_life_token();
  rec.token = digest_of(token);
  return token;
}

caf::error unauthorized(std::string what, std::string why) {
  return make_error(errc::unauthorized, std::move(what), std::move(why));
}

} // namespace

caf::result<registration_ack> on_registration(self_ptr self, registration& reg,
                                              caf::actor sender) {
  auto& st = self->state;
  if (auto err = check_inbound(reg))
    return refuse_input(self, "registration", std::move(err));
  if (!sender) {
    log_refusal(self, "registration:anonymous",
                fmt::format("anonymous registration for agent {} refused", reg.id));
    return make_error(errc::not_owner, reg.id);
  }
  if (!claimable(reg.state)) {
    log_refusal(self, "registration:state",
                fmt::format("registration of agent {} as {} refused", reg.id,
                            to_string(reg.state)));
    return make_error(errc::invalid_request, reg.id,
                      "register as " + to_string(reg.state), std::string{"registering"},
                      std::string{"spawning, idle, busy, on_call or exhausted"});
  }
  // DESIGN §12: one life per id. A life that a restart replaced (or is replacing)
  // ends on its node.
  if (auto* cur = st.agents.find(reg.id); cur && superseded(*cur, reg.token)) {
    log_refusal(self, "registration:superseded",
                fmt::format("registration of agent {} refused: a restart replaced "
                            "that life",
                            reg.id));
    return make_error(errc::superseded, reg.id);
  }
  // Names a peer chooses are interned only once a registration is accepted.
  auto known_node = find_interned(reg.node);
  auto key = digest_of(reg.node_key.secret);
  auto now = self->clock().now();
  auto* old = st.agents.find(reg.id);
  if (old && is_terminal(old->state))
    old = nullptr; // an ended id is free: a new life (below)
  // The life's own token proves everything, so it is checked first: no key that
  // someone else pinned for its node name can lock a life out.
  bool same_life = old && matches(old->token, digest_of(reg.token));
  // The node's key: pinned when a node name with no records shows one, and required
  // from then on (DESIGN §11).
  auto pinned = known_node ? st.node_keys.find(known_node) : st.node_keys.end();
  bool pin_now = !key.empty() && pinned == st.node_keys.end() &&
                 (!known_node || st.node_records.count(known_node) == 0);
  if (!same_life && pinned != st.node_keys.end() && !matches(pinned->second, key)) {
    log_refusal(self, "registration:node_key",
                fmt::format("registration of agent {} on node {} refused: {} node key",
                            reg.id, reg.node, key.empty() ? "no" : "a wrong"));
    return unauthorized("registration of agent " + reg.id + " on node " + reg.node,
                        key.empty() ? "node " + reg.node +
                                          " registered with a key; "
                                          "show it (--node-key)"
                                    : "not the key node " + reg.node +
                                          " first registered with");
  }
  bool keyed =
      pin_now || (pinned != st.node_keys.end() && matches(pinned->second, key));
  // Once accepted: the node's name, and its key when it pins one now (or pinned it
  // before: forgetting an ended life may have taken its node's last record).
  auto accept_node = [&] {
    interned_name node{reg.node};
    if (keyed && st.node_keys.emplace(node.get(), key).second && pin_now)
      log_limited(self, spdlog::level::info, "node key",
                  "node {} registered with a node key: it must show it from now on",
                  reg.node);
    return node;
  };
  if (old) {
    auto& rec = *old;
    // DESIGN §11: the id goes back to its own life (its token), or, once that life's
    // actor is lost, to its own node (its key); never to whoever speaks first.
    bool same_node = !same_life && rec.owner_down && rec.node_keyed && keyed &&
                     known_node == rec.node.get();
    if (!same_life && !same_node) {
      if (!rec.owner_down) {
        log_refusal(self, "registration:duplicate",
                    fmt::format("registration of agent {} refused: already registered "
                                "by another live actor",
                                reg.id));
        return make_error(errc::duplicate_agent, reg.id);
      }
      log_refusal(self, "registration:claim",
                  fmt::format("registration of agent {} from node {} refused: the id "
                              "is taken and neither its life's token nor its node's "
                              "key was shown",
                              reg.id, reg.node));
      return unauthorized("registration of agent " + reg.id,
                          "the id is taken; neither its life's token nor its node's "
                          "key was shown");
    }
    auto node = accept_node();
    // Back from a lost connection or a supervisor restart (the same life), or a new
    // process of its node taking the id back. Watch it again and restore the state it
    // kept (DESIGN §7).
    life_token token = reg.token;
    if (same_node) {
      log_limited(self, spdlog::level::info, "registration",
                  "agent {} is taken back by its node {} (node key)", rec.id, reg.node);
      token = issue_token(rec);
      rec.registered_at = now;
    } else if (rec.owner != sender) {
      log_limited(self, spdlog::level::info, "registration",
                  "agent {} is back from node {}", rec.id, reg.node);
    }
    if (rec.owner != sender) {
      release_owner(self, rec);
      adopt(self, rec, std::move(sender));
    } else if (rec.owner_down) {
      adopt(self, rec, std::move(sender));
    }
    if (rec.node != node) {
      count_on_node(self, rec.node.get(), -1);
      count_on_node(self, node.get(), +1);
      count_live(self, rec.node.get(), -1);
      count_live(self, node.get(), +1);
      rec.node = node;
    }
    rec.node_keyed = keyed;
    rec.beats.beat(now);
    if (same_node) // the store learns the new token's digest
      emit_record_event(self, rec, event_kind::registered, "reclaimed");
    // Restore the state it kept. A record lost while still `spawning` (between the
    // registration and its first report) goes through idle, as the agent did.
    if (rec.state == agent_state::spawning && reg.state != agent_state::spawning)
      apply(self, rec, change{agent_state::idle, "re_registered"});
    if (rec.state != reg.state &&
        (rec.state == agent_state::offline || rec.state == agent_state::idle) &&
        may_transition(rec.state, reg.state))
      apply(self, rec, change{reg.state, "re_registered"});
    ensure_timer(self, rec);
    return answer(self, rec, token);
  }
  std::optional<restart_track> carried; // the id's restarts go on with the new life
  uint64_t old_version = 0;
  interned_name old_type; // its metrics go on too (forgotten below if it changed)
  if (auto* ended = st.agents.find(reg.id)) {
    carried = take_restart(self, *ended);
    old_version = ended->version;
    old_type = ended->type;
    forget(self, *ended, true); // a new life for an ended id
  }
  auto node = accept_node(); // held until the record holds the name: the pin's key
  auto& cfg = st.settings_of(reg.type);
  auto& rec = st.agents.add(reg.id, reg.type, reg.node, cfg.heartbeat, now);
  count_on_node(self, rec.node.get(), +1);
  count_live(self, rec.node.get(), +1); // registration claims a running state
  auto token = issue_token(rec);
  rec.node_keyed = keyed;
  rec.state = reg.state;
  st.metrics.count_state(rec.type, rec.state, +1);
  if (old_type)
    st.metrics.forget_if_empty(old_type);
  rec.version = reg.version; // a restarted supervisor learns the fleet back as it is
  std::optional<restart_made> restarted;
  if (carried)
    restarted = carry_restart(self, rec, std::move(carried), old_version);
  if (phase_of(rec.state) == agent_phase::running)
    rec.started_at = now;
  rec.watchdog_cfg = &cfg.watchdog;
  adopt(self, rec, std::move(sender));
  log_limited(self, spdlog::level::info, "registration",
              "agent {} registered (type {}, node {}, {})", rec.id, *rec.type,
              *rec.node, to_string(rec.state));
  if (restarted)
    log_limited(self, spdlog::level::info, "restart",
                "agent {} restarted (attempt {}, {} restarts, after its end for {})",
                rec.id, restarted->attempt, restarted->restarts, restarted->cause);
  emit_record_event(self, rec, event_kind::registered,
                    restarted ? "restarted" : "registered",
                    restarted ? &*restarted : nullptr);
  start_watching(self, rec, now); // registered while working (it reconnected)
  ensure_timer(self, rec);        // registration counts as the first beat
  return answer(self, rec, token);
}

void on_down(self_ptr self, caf::down_msg& dm) {
  auto& st = self->state;
  if (auto s = st.subscriber_ids.find(dm.source); s != st.subscriber_ids.end()) {
    log_limited(self, spdlog::level::info, "subscriber",
                "subscriber {} is gone; dropped", s->second);
    st.hub.remove(s->second);
    st.subscribers.erase(s->second);
    st.subscriber_ids.erase(s);
  }
  auto [first, last] = st.owners.equal_range(dm.source);
  if (first == last)
    return;
  std::vector<uint64_t> keys; // a copy: release_owner edits the map
  std::transform(first, last, std::back_inserter(keys),
                 [](auto& x) { return x.second; });
  auto why = self->system().render(dm.reason);
  for (auto key : keys) {
    auto* found = st.agents.find(key);
    if (!found)
      continue;
    auto& rec = *found;
    rec.owner_down = true;
    if (is_terminal(rec.state)) {
      release_owner(self, rec); // it reported its end (or was ended), then quit
      continue;
    }
    if (dm.reason == caf::exit_reason::remote_link_unreachable) {
      // DESIGN §7: a lost node is not a dead agent. Keep the owner for its return;
      // its monitor is used up, so a return adopts (and monitors) it again.
      if (may_transition(rec.state, agent_state::offline))
        apply(self, rec, change{agent_state::offline, "node_unreachable:" + *rec.node});
      continue;
    }
    release_owner(self, rec);
    if (code_of(dm.reason) == errc::node_shutdown) // its node ended it in order
      apply(self, rec, change{agent_state::killed, "node_shutdown"});
    else if (dm.reason == caf::exit_reason::user_shutdown ||
             dm.reason == caf::exit_reason::kill)
      apply(self, rec,
            change{agent_state::killed,
                   st.stopping && st.stopping->agents.count(dm.source)
                       ? std::string{"node_shutdown"}
                       : "exit:" + why});
    else if (dm.reason)
      apply(self, rec,
            change{agent_state::failed, "crashed", failure_text(self, dm.reason)});
    else
      apply(self, rec,
            change{agent_state::failed, "crashed",
                   "the actor quit without reporting its end"});
  }
  if (dm.reason == caf::exit_reason::remote_link_unreachable)
    st.owners.erase(dm.source); // so that a return monitors it afresh
}

} // namespace vigil::detail
