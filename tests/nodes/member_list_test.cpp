// The uplink's member list: add, find and remove by address in O(1) (swap and pop).
#include "vigil/nodes/detail/member_list.hpp"

#include <set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

using vigil::detail::member_list;

namespace {

std::set<caf::actor_addr> addresses(const member_list<caf::actor>& xs) {
  std::set<caf::actor_addr> out;
  for (auto& x : xs)
    out.insert(x.address());
  return out;
}

} // namespace

TEST(MemberList, RemovesAnyMemberAndKeepsTheRestFindable) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 1);
  caf::actor_system sys{cfg};
  std::vector<caf::actor> actors;
  for (int i = 0; i < 6; ++i)
    actors.push_back(sys.spawn([] {
      return caf::behavior{[](int) {
      }};
    }));
  member_list<caf::actor> xs;
  for (auto& a : actors)
    EXPECT_TRUE(xs.add(a));
  EXPECT_FALSE(xs.add(actors[2])); // once per address
  EXPECT_EQ(xs.size(), 6u);
  // The first, one in the middle and the last: each leaves exactly its own gap.
  for (size_t i : {size_t{0}, size_t{3}, size_t{5}}) {
    EXPECT_TRUE(xs.remove(actors[i].address()));
    EXPECT_FALSE(xs.contains(actors[i].address()));
    EXPECT_FALSE(xs.remove(actors[i].address())); // gone already
  }
  EXPECT_EQ(addresses(xs),
            (std::set<caf::actor_addr>{actors[1].address(), actors[2].address(),
                                       actors[4].address()}));
  for (size_t i : {size_t{1}, size_t{2}, size_t{4}})
    EXPECT_TRUE(xs.contains(actors[i].address()));
  // The one moved into a gap is still found where it went.
  EXPECT_TRUE(xs.remove(actors[4].address()));
  EXPECT_TRUE(xs.remove(actors[1].address()));
  EXPECT_TRUE(xs.remove(actors[2].address()));
  EXPECT_EQ(xs.size(), 0u);
  EXPECT_TRUE(xs.add(actors[0])); // an address may come back
  EXPECT_EQ(xs.size(), 1u);
  for (auto& a : actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}
