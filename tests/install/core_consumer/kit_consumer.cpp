// vigil::testing from a plain find_package(vigil): a hung agent goes offline exactly
// at its deadline in virtual time.
#include <chrono>
#include <cstdio>

#include <vigil/testing/virtual_fleet.hpp>

using namespace std::chrono_literals;

int main() {
  vigil::supervisor_settings settings;
  settings.heartbeat.interval = 1s;
  settings.heartbeat.timeout = 3s;
  settings.heartbeat.check_interval = 1s; // offline at last beat + 5s
  vigil::testing::virtual_fleet fleet{settings};
  fleet.add_agent("c1");
  fleet.hang("c1");
  fleet.advance(5s - 1ns);
  auto before = fleet.state_of("c1");
  fleet.advance(1ns);
  auto after = fleet.state_of("c1");
  std::printf("kit consumer: c1 is %s, then %s\n", to_string(before).c_str(),
              to_string(after).c_str());
  return before == vigil::agent_state::idle && after == vigil::agent_state::offline ? 0
                                                                                    : 1;
}
