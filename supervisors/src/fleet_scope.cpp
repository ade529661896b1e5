// `fleet_scope`: the stages of an orderly stop, each waited for before the next.
#include "vigil/supervisors/fleet_scope.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/logger.h>

#include "vigil/messages/atoms.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/messages/node_shutdown.hpp"
#include "vigil/messages/supervisor_stats.hpp"

namespace vigil {

namespace {

constexpr stop_stage stages[] = {stop_stage::supervisors, stop_stage::agents,
                                 stop_stage::links, stop_stage::others};

const char* name_of(stop_stage x) {
  switch (x) {
  case stop_stage::supervisors:
    return "supervisors";
  case stop_stage::agents:
    return "agents";
  case stop_stage::links:
    return "pacers or uplinks";
  case stop_stage::others:
    break;
  }
  return "other actors";
}

} // namespace

fleet_scope::fleet_scope(caf::actor_system& sys, duration timeout, std::string node)
    : sys_(sys), timeout_(timeout), node_(std::move(node)) {}

fleet_scope::~fleet_scope() {
  if (held_.empty())
    return;
  if (auto err = stop())
    log()->error("{}", sys_.render(err));
}

void fleet_scope::hold(stop_stage stage, caf::actor_addr addr) {
  if (!addr)
    return;
  held_.emplace_back(stage, std::move(addr));
  if (held_.size() < prune_at_)
    return;
  // Amortised O(1): drop the ended ones once the list doubled since the last time.
  held_.erase(
      std::remove_if(held_.begin(), held_.end(),
                     [](auto& x) { return !caf::actor_cast<caf::actor>(x.second); }),
      held_.end());
  prune_at_ = std::max<size_t>(64, held_.size() * 2);
}

caf::error fleet_scope::stop() {
  auto held = std::move(held_);
  held_.clear();
  prune_at_ = 64;
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  auto left = [&] {
    return std::max(std::chrono::steady_clock::duration::zero(),
                    deadline - std::chrono::steady_clock::now());
  };
  caf::scoped_actor self{sys_};
  std::string late;
  size_t late_count = 0;
  std::string problems; // supervisors that ended, but not in order
  for (auto stage : stages) {
    std::unordered_set<caf::actor_addr> waiting;
    for (auto& [s, addr] : held) {
      auto h = caf::actor_cast<caf::actor>(addr);
      if (s != stage || !h || !waiting.insert(addr).second)
        continue; // another stage's, gone already, or held twice
      self->monitor(h);
      if (stage == stop_stage::agents) {
        // An orderly end of the node (DESIGN §12): recorded, never restarted.
        self->send_exit(h, node_shutdown_reason(node_));
        continue;
      }
      if (stage != stop_stage::supervisors) {
        self->send_exit(h, caf::exit_reason::user_shutdown);
        continue;
      }
      // A request, not an exit: the supervisor answers once its events are
      // committed; its down message follows.
      self->request(h, left(), stop_atom::value)
          .receive([](supervisor_stats&) {},
                   [&](caf::error& err) {
                     problems += (problems.empty() ? "" : "; ") + sys_.render(err);
                     self->send_exit(h, caf::exit_reason::user_shutdown);
                   });
    }
    bool timed_out = false;
    while (!waiting.empty() && !timed_out)
      self->receive([&](caf::down_msg& dm) { waiting.erase(dm.source); },
                    caf::after(left()) >> [&] { timed_out = true; });
    if (!waiting.empty()) {
      late_count += waiting.size();
      late += (late.empty() ? "" : ", ") + std::to_string(waiting.size()) + " " +
              name_of(stage);
      // They trap exits or never read their mailbox: a kill cannot be refused, and
      // the actor system could not shut down with them running.
      for (auto& addr : waiting)
        if (auto h = caf::actor_cast<caf::actor>(addr))
          self->send_exit(h, caf::exit_reason::kill);
      timed_out = false;
      while (!waiting.empty() && !timed_out)
        self->receive([&](caf::down_msg& dm) { waiting.erase(dm.source); },
                      caf::after(std::chrono::seconds(1)) >> [&] { timed_out = true; });
    }
  }
  if (late_count == 0 && problems.empty())
    return caf::none;
  std::string text = "fleet_scope:";
  if (late_count > 0)
    text += " " + std::to_string(late_count) + " actors had not ended after " +
            format_duration(timeout_) + " (" + late + ") and were killed";
  if (!problems.empty())
    text += (late_count > 0 ? "; " : " ") + problems;
  return caf::make_error(caf::sec::request_timeout, std::move(text));
}

} // namespace vigil
