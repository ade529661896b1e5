// The agent test fixture: an agent in virtual time against a recording supervisor,
// and stand-ins that watch it or do its work. Shared by the agent test files.
#pragma once

#include <chrono>
#include <string>
#include <tuple>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>

#include "support/recording_supervisor.hpp"
#include "support/virtual_time.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil::test {

using namespace std::chrono_literals;

struct watcher_state {
  static inline const char* name = "vigil.test.watcher";
  bool down = false;
  caf::error reason;
};

// Monitors one actor and keeps its exit reason.
inline caf::behavior watcher(caf::stateful_actor<watcher_state>* self,
                             caf::actor target) {
  self->monitor(target);
  self->set_down_handler([self](caf::down_msg& dm) {
    self->state.down = true;
    self->state.reason = dm.reason;
  });
  return {[](int) {
  }};
}

struct worker_state {
  static inline const char* name = "vigil.test.worker";
  std::vector<std::pair<slot_kind, std::string>> started;
};

// Stands in for the user's work code: records the slots it was handed.
inline caf::behavior worker(caf::stateful_actor<worker_state>* self) {
  return {[self](work_atom, slot_kind kind, std::string& task) {
    self->state.started.emplace_back(kind, std::move(task));
  }};
}

class Agent : public vigil::test::virtual_time {
public:
  Agent() {
    sup = track(vigil::test::spawn_recording_supervisor(sys));
    sched.run();
  }

  agent_actor spawn(agent_options opts = {}) {
    if (opts.id.empty())
      opts.id = "a1";
    auto x = spawn_agent(sys, sup, std::move(opts));
    EXPECT_TRUE(x) << sys.render(x.error());
    auto h = track(*x);
    sched.run();
    return h;
  }

  recording_supervisor_state& recorded() {
    return state_of<recording_supervisor_state>(sup);
  }

  agent_view view(const agent_actor& a) {
    auto v = ask<agent_view>(a, get_atom::value);
    EXPECT_TRUE(v) << sys.render(v.error());
    return v ? *v : agent_view{};
  }

  std::vector<std::tuple<agent_state, agent_state, uint64_t>> transitions() {
    std::vector<std::tuple<agent_state, agent_state, uint64_t>> result;
    for (auto& r : recorded().reports)
      result.emplace_back(r.from, r.to, r.version);
    return result;
  }

  caf::actor watch(const agent_actor& a) {
    auto w = track(sys.spawn(watcher, caf::actor_cast<caf::actor>(a)));
    sched.run();
    return w;
  }

  caf::error quota(const agent_actor& a, quota_reason why) {
    return tell(a, quota_atom::value, why);
  }

  agent_facing_supervisor sup;
};

using s = agent_state;

} // namespace vigil::test
