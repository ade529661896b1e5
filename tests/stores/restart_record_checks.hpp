// What every store keeps of restarts (DESIGN §12), as checks that a store's suite runs
// on its own kind: the pending restart of an ended agent (set by restart_scheduled,
// cleared by the new life or by restart_gave_up, its due time exact across a reopen),
// the count and last reason a restarted life leaves in its row, and what other
// registrations do to them.
#pragma once

#include <functional>
#include <memory>

#include "stores/store_events.hpp"

namespace vigil::test {

/// `reopen`: the store as a restarted supervisor opens it (the old one is let go).
inline void check_restart_record(std::shared_ptr<fleet_store>& store,
                                 const std::function<void()>& reopen) {
  using namespace std::chrono_literals;
  using s = agent_state;
  auto load = [&]() -> stored_agent {
    auto fleet = store->load();
    EXPECT_TRUE(fleet) << (fleet ? "" : to_string(fleet.error()));
    auto a = fleet ? find(*fleet, "a1") : nullptr;
    EXPECT_NE(a, nullptr);
    return a ? *a : stored_agent{};
  };
  ASSERT_FALSE(store->commit({registered(1, "a1", 0s),
                              moved(2, "a1", s::spawning, s::failed, 2, 5s),
                              restart_scheduled(3, "a1", 5s, 1, 2s, 0)},
                             origin));
  auto a = load();
  EXPECT_EQ(a.state, s::failed);
  EXPECT_EQ(a.restart_due, caf::optional<duration>{7s});
  EXPECT_EQ(a.restart_attempt, 1u);
  EXPECT_EQ(a.restart_cause, "crashed");
  EXPECT_EQ(a.restarts, 0u);
  EXPECT_EQ(a.last_restart_reason, "");
  // The new life at the due time: the count and cause in the row, nothing pending.
  ASSERT_FALSE(store->commit({restarted(4, "a1", 7s, 3, 1, 1)}, origin));
  a = load();
  EXPECT_EQ(a.state, s::spawning);
  EXPECT_EQ(a.version, 3u);
  EXPECT_EQ(a.registered_at, 7s);
  EXPECT_EQ(a.restarts, 1u);
  EXPECT_EQ(a.last_restart_reason, "crashed");
  EXPECT_EQ(a.restart_due, caf::none);
  EXPECT_EQ(a.restart_attempt, 0u);
  EXPECT_EQ(a.restart_cause, "");
  // It ends again (a watchdog fire): attempt 2, due at a nanosecond-exact instant that
  // survives a restart of the supervisor.
  ASSERT_FALSE(
      store->commit({moved(5, "a1", s::idle, s::failed, 4, 9s),
                     restart_scheduled(6, "a1", 9s, 2, 4s + 1ns, 1, "watchdog")},
                    origin));
  reopen();
  ASSERT_TRUE(store);
  a = load();
  EXPECT_EQ(a.restart_due, caf::optional<duration>{13s + 1ns});
  EXPECT_EQ(a.restart_attempt, 2u);
  EXPECT_EQ(a.restart_cause, "watchdog");
  EXPECT_EQ(a.restarts, 1u);
  EXPECT_EQ(a.last_restart_reason, "crashed");
  // Not made (intensity): nothing pending, the count and last reason stay.
  ASSERT_FALSE(store->commit({restart_gave_up(7, "a1", 13s + 1ns, 2, 1)}, origin));
  a = load();
  EXPECT_EQ(a.state, s::failed);
  EXPECT_EQ(a.restart_due, caf::none);
  EXPECT_EQ(a.restart_attempt, 0u);
  EXPECT_EQ(a.restart_cause, "");
  EXPECT_EQ(a.restarts, 1u);
  EXPECT_EQ(a.last_restart_reason, "crashed");
  // A registration that is not a restart but carries the record's count keeps the
  // row's last reason; one with no restarts empties it.
  auto again = registered(8, "a1", 20s);
  again.version = 5;
  again.restarts = 1;
  ASSERT_FALSE(store->commit({again}, origin));
  a = load();
  EXPECT_EQ(a.version, 5u);
  EXPECT_EQ(a.restarts, 1u);
  EXPECT_EQ(a.last_restart_reason, "crashed");
  auto fresh_life = registered(9, "a1", 21s);
  fresh_life.version = 6;
  ASSERT_FALSE(store->commit({fresh_life}, origin));
  a = load();
  EXPECT_EQ(a.restarts, 0u);
  EXPECT_EQ(a.last_restart_reason, "");
  // A restart event for an id without a row makes none.
  ASSERT_FALSE(store->commit({restart_scheduled(10, "gone", 22s, 1, 1s, 0),
                              restart_gave_up(11, "gone2", 22s, 1, 0)},
                             origin));
  auto fleet = store->load();
  ASSERT_TRUE(fleet);
  EXPECT_EQ(fleet->agents.size(), 1u);
  EXPECT_EQ(fleet->last_seq, 11u);
}

} // namespace vigil::test
