// A real supervisor in virtual time and users' own actors attached as agents, with
// their own beat timer or (parameter true) a pacer: the fixture of the attached-agent
// suites.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/send.hpp>

#include "support/supervisor_fixture.hpp"
#include "user_actor.hpp"
#include "vigil/actors/pacer.hpp"

namespace vigil::test {

using namespace std::chrono_literals;

/// Beats every 10 s; offline at the last beat + 30 s (one miss is enough).
class attached_fixture : public supervisor_fixture,
                         public ::testing::WithParamInterface<bool> {
public:
  attached_fixture() {
    supervisor_settings cfg;
    cfg.heartbeat.interval = 10s;
    cfg.heartbeat.timeout = 30s;
    cfg.heartbeat.check_interval = 5s;
    cfg.heartbeat.max_missed = 1;
    start(cfg);
    if (paced()) {
      pacer_options opts;
      opts.granularity = duration::zero(); // ticks every 10 s from registration
      pacer = track(*spawn_pacer(sys, sup, opts));
      sched.run();
    }
  }

  bool paced() const { return GetParam(); }

  caf::actor user(const std::string& id) {
    agent_options opts{id, "worker", "n1"};
    opts.pacer = pacer;
    auto u = track(sys.spawn(user_actor, sup, std::move(opts)));
    sched.run();
    return u;
  }

  void send(const caf::actor& u, caf::message msg) {
    caf::anon_send(u, std::move(msg));
    sched.run();
  }

  std::vector<time_point> entered(const caf::actor& c, const std::string& id,
                                  agent_state to) {
    std::vector<time_point> result;
    for (auto& e : events_of(c))
      if (e.agent == id && e.kind == event_kind::transition && e.to == to)
        result.push_back(e.at);
    return result;
  }

  pacer_actor pacer;
};

} // namespace vigil::test
