// Test helpers for calling a fleet_store directly: events made by hand at chosen
// instants (restart events too), agent rows with every field set, and a field-by-field
// row comparison.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "vigil/messages/credentials.hpp"
#include "vigil/stores/fleet_store.hpp"

namespace vigil::test {

/// The origin every hand-made event is measured from: `at(d)` is `d` after the Unix
/// epoch as far as the store is concerned.
inline const time_point origin = time_point{} + std::chrono::hours(1);

inline time_point at(duration d) {
  return origin + d;
}

/// Agent `id` registered in `state` (version 1).
inline event registered(uint64_t seq, const std::string& id, duration when,
                        agent_state state = agent_state::spawning) {
  event e;
  e.seq = seq;
  e.kind = event_kind::registered;
  e.agent = id;
  e.type = "worker";
  e.node = "n1";
  e.to = state;
  e.reason = "registered";
  e.at = at(when);
  e.version = 1;
  e.token_digest = digest_of(std::string_view{"token of " + id});
  return e;
}

/// Agent `id` moved from `from` to `to`, its record now at `version`.
inline event moved(uint64_t seq, const std::string& id, agent_state from,
                   agent_state to, uint64_t version, duration when) {
  event e;
  e.seq = seq;
  e.kind = event_kind::transition;
  e.agent = id;
  e.type = "worker";
  e.node = "n1";
  e.from = from;
  e.to = to;
  e.reason = "report";
  e.at = at(when);
  e.version = version;
  return e;
}

/// The restart of `id` after an end at `when` for `cause`: attempt `attempt`, due
/// `delay` later; `restarts` so far.
inline event restart_scheduled(uint64_t seq, const std::string& id, duration when,
                               uint32_t attempt, duration delay, uint32_t restarts,
                               const std::string& cause = "crashed") {
  event e;
  e.seq = seq;
  e.kind = event_kind::restart_scheduled;
  e.agent = id;
  e.type = "worker";
  e.node = "n1";
  e.from = e.to = agent_state::failed;
  e.reason = e.details = cause;
  e.at = at(when);
  e.attempt = attempt;
  e.restarts = restarts;
  e.delay = delay;
  e.due = at(when + delay);
  return e;
}

/// The restart of `id` that was due at `when` is not made (`why`: intensity, ...).
inline event restart_gave_up(uint64_t seq, const std::string& id, duration when,
                             uint32_t attempt, uint32_t restarts,
                             const std::string& why = "intensity") {
  event e;
  e.seq = seq;
  e.kind = event_kind::restart_gave_up;
  e.agent = id;
  e.type = "worker";
  e.node = "n1";
  e.from = e.to = agent_state::failed;
  e.reason = why;
  e.details = "crashed";
  e.at = at(when);
  e.attempt = attempt;
  e.restarts = restarts;
  return e;
}

/// The new life of `id` registers at `when`, restarted after an end for `cause`;
/// `restarts`: with this one.
inline event restarted(uint64_t seq, const std::string& id, duration when,
                       uint64_t version, uint32_t attempt, uint32_t restarts,
                       const std::string& cause = "crashed") {
  auto e = registered(seq, id, when);
  e.reason = "restarted";
  e.version = version;
  e.details = cause;
  e.attempt = attempt;
  e.restarts = restarts;
  return e;
}

/// A row with every field set (or, `bare`, every optional one empty).
inline stored_agent row(const std::string& id, duration registered_at,
                        bool bare = false) {
  stored_agent a;
  a.id = id;
  a.type = "coder";
  a.node = "n7";
  a.state = bare ? agent_state::idle : agent_state::exhausted;
  a.version = 42;
  a.registered_at = registered_at;
  if (!bare) {
    a.started_at = registered_at + std::chrono::seconds(1);
    a.ended_at = registered_at + std::chrono::seconds(2);
    a.recovery_at = registered_at + std::chrono::hours(5);
    a.reason = "rate_limit";
    a.last_error = "quota";
    a.token_digest = digest_of(std::string_view{"token of " + id});
    a.node_key_digest = digest_of(std::string_view{"key of n7"});
    a.restarts = 3;
    a.last_restart_reason = "lost";
    a.restart_due = registered_at + std::chrono::hours(6) + std::chrono::nanoseconds(1);
    a.restart_attempt = 2;
    a.restart_cause = "watchdog";
  }
  return a;
}

inline void expect_same(const stored_agent& x, const stored_agent& y) {
  EXPECT_EQ(x.id, y.id);
  EXPECT_EQ(x.type, y.type) << x.id;
  EXPECT_EQ(x.node, y.node) << x.id;
  EXPECT_EQ(x.state, y.state) << x.id;
  EXPECT_EQ(x.version, y.version) << x.id;
  EXPECT_EQ(x.registered_at, y.registered_at) << x.id;
  EXPECT_EQ(x.started_at, y.started_at) << x.id;
  EXPECT_EQ(x.ended_at, y.ended_at) << x.id;
  EXPECT_EQ(x.recovery_at, y.recovery_at) << x.id;
  EXPECT_EQ(x.reason, y.reason) << x.id;
  EXPECT_EQ(x.last_error, y.last_error) << x.id;
  EXPECT_EQ(to_hex(x.token_digest), to_hex(y.token_digest)) << x.id;
  EXPECT_EQ(to_hex(x.node_key_digest), to_hex(y.node_key_digest)) << x.id;
  EXPECT_EQ(x.restarts, y.restarts) << x.id;
  EXPECT_EQ(x.last_restart_reason, y.last_restart_reason) << x.id;
  EXPECT_EQ(x.restart_due, y.restart_due) << x.id;
  EXPECT_EQ(x.restart_attempt, y.restart_attempt) << x.id;
  EXPECT_EQ(x.restart_cause, y.restart_cause) << x.id;
}

/// The row of `id` in `fleet`, or null.
inline const stored_agent* find(const stored_fleet& fleet, const std::string& id) {
  for (auto& a : fleet.agents)
    if (a.id == id)
      return &a;
  return nullptr;
}

} // namespace vigil::test
