// Parts of fleet_bench (issue 18): agents that fall silent at a chosen moment, and a
// subscriber that records every offline verdict.
#pragma once

#include <atomic>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "bench_support.hpp"
#include "vigil/actors/pacer.hpp"

namespace vigil::bench {

struct offline_verdict {
  std::string id;
  time_point at; ///< Declared (the supervisor's clock).
};

/// Every offline verdict a subscriber received.
struct offline_verdicts {
  std::mutex mtx;
  std::vector<offline_verdict> xs;
};

struct offline_watcher_state {
  static inline const char* name = "bench.offline_watcher";
};

inline caf::behavior offline_watcher(caf::stateful_actor<offline_watcher_state>* self,
                                     supervisor_actor sup,
                                     std::shared_ptr<offline_verdicts> out) {
  subscription_request req;
  req.filter.kinds = {event_kind::transition};
  req.filter.states = {agent_state::offline};
  self->request(sup, caf::infinite, std::move(req)).then([](snapshot&) {});
  return {
      [=](event_batch& b) {
        {
          std::lock_guard<std::mutex> guard{out->mtx};
          for (auto& e : b.events)
            if (e.to == agent_state::offline)
              out->xs.push_back(offline_verdict{e.agent, e.at});
        }
        if (!b.events.empty())
          self->send(sup, ack_atom::value, b.events.back().seq);
      },
      [](snapshot&) {},
  };
}

/// When the mortal agents fall silent: each at `start` plus its own offset, once the
/// measurement has set `start`.
struct silence_plan {
  std::atomic<wall::rep> start{std::numeric_limits<wall::rep>::max()};
  std::atomic<size_t> registered{0};

  bool silent(duration offset) const {
    auto from = start.load(std::memory_order_relaxed);
    return from != std::numeric_limits<wall::rep>::max() &&
           wall::now().time_since_epoch().count() >= from + offset.count();
  }
};

struct mortal_agent_state {
  static inline const char* name = "bench.mortal_agent";
  caf::actor pacer;
  duration offset{0};
};

/// An agent actor of the simplest kind (registers idle, joins the pacer, answers its
/// ticks) that stops answering `offset` after the plan's start, as a hung agent does:
/// its actor still lives, and its pacer hears nothing from it.
inline caf::behavior mortal_agent(caf::stateful_actor<mortal_agent_state>* self,
                                  supervisor_actor sup, pacer_actor pacer,
                                  std::string id, duration offset,
                                  std::shared_ptr<silence_plan> plan) {
  self->state.pacer = caf::actor_cast<caf::actor>(pacer);
  self->state.offset = offset;
  registration reg;
  reg.id = std::move(id);
  reg.type = "worker";
  reg.node = "n1";
  reg.state = agent_state::idle;
  self->request(sup, caf::infinite, std::move(reg)).then([=](registration_ack& ack) {
    self->request(self->state.pacer, caf::infinite, pace_atom::value, ack.key,
                  ack.beat_secret, ack.heartbeat_interval, no_pacer_slot)
        .then([](uint32_t) {}, [](caf::error&) {});
    ++plan->registered;
  });
  return {
      [=](beat_atom, uint32_t ticket, uint32_t token) {
        if (!plan->silent(self->state.offset))
          caf::anon_send(self->state.pacer, beat_atom::value, ticket, token,
                         agent_state::idle, uint64_t{0});
      },
      [](pace_atom, const caf::actor_addr&) {}, // the pacer ended
  };
}

} // namespace vigil::bench
