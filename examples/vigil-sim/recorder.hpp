// What vigil-sim sees of the supervisor: a subscriber that keeps every event and the
// record they add up to.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "runner.hpp"
#include "speed.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::sim {

/// Every event in seq order, and the supervisor's record as those events make it.
struct recorder {
  std::mutex mx; ///< Realtime: the collector runs on a worker thread.
  std::condition_variable ready;
  bool subscribed = false;
  std::vector<event> events;
  std::map<std::string, agent_state> model; ///< The supervisor's record, by events.
  const run_options* opts = nullptr;
  double speed = 1.0;
  time_point start;

  void on(event e) {
    std::lock_guard<std::mutex> guard{mx};
    if (e.kind == event_kind::registered || e.kind == event_kind::transition)
      model[e.agent] = e.to;
    else if (e.kind == event_kind::purged)
      model.erase(e.agent);
    if (opts->on_event) {
      if (speed == 1.0) {
        opts->on_event(e, e.at - start);
      } else { // realtime --speed: show scenario time
        auto x = slower(e, start, speed);
        opts->on_event(x, x.at - start);
      }
    }
    events.push_back(std::move(e));
  }

  std::map<agent_state, uint64_t> counts() const {
    std::map<agent_state, uint64_t> result;
    for (auto& [id, st] : model)
      ++result[st];
    return result;
  }
};

/// Spawns the subscriber that feeds `rec` (which must outlive it).
caf::actor spawn_collector(caf::actor_system& sys, supervisor_actor sup, recorder* rec);

} // namespace vigil::sim
