// vigil-demo: a supervisor and three agents live a few seconds of real time. A
// subscriber prints every event of the supervisor's ordered stream as it arrives; at
// the end the fleet counts are printed per state.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exec_main.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/logger.h>

#include "vigil/actors/agent.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/supervisors/fleet_scope.hpp"
#include "vigil/supervisors/subscriber.hpp"
#include "vigil/supervisors/supervisor.hpp"

using namespace std::chrono_literals;

namespace {

void print(const vigil::event& e, vigil::time_point start) {
  auto t = std::chrono::duration<double>(e.at - start).count();
  std::string detail = e.reason;
  if (e.kind == vigil::event_kind::heartbeat_missed)
    detail = "missed beat " + std::to_string(e.missed);
  if (e.recovery_at)
    detail += ", back in " + vigil::format_duration(*e.recovery_at - e.at);
  if (!e.error.empty())
    detail += ", error: " + e.error;
  std::printf("%7.3fs  #%-3llu %-8s %-9s -> %-9s (%s) v%llu\n", t,
              static_cast<unsigned long long>(e.seq), e.agent.c_str(),
              to_string(e.from).c_str(), to_string(e.to).c_str(), detail.c_str(),
              static_cast<unsigned long long>(e.version));
}

// The user's work code for coder-1: every slot takes 300 ms, then reports finish.
caf::behavior coder_work(caf::event_based_actor* self) {
  return {
      [=](vigil::work_atom, vigil::slot_kind, const std::string&) {
        auto agent = caf::actor_cast<caf::actor>(self->current_sender());
        self->delayed_send(agent, 300ms, vigil::finish_atom::value);
      },
  };
}

struct demo_config : caf::actor_system_config {
  demo_config() { vigil::register_types(*this); }
};

void caf_main(caf::actor_system& sys, const demo_config&) {
  vigil::log()->set_level(spdlog::level::warn); // the printer tells the story
  vigil::fleet_scope fleet{sys}; // stops everything below, in order, at the end
  caf::scoped_actor self{sys};
  vigil::supervisor_settings cfg;
  cfg.heartbeat.timeout = 1500ms;
  cfg.heartbeat.check_interval = 500ms;
  auto sup = fleet.add(vigil::spawn_supervisor(sys, cfg));
  if (!sup) {
    std::fprintf(stderr, "vigil-demo: %s\n", sys.render(sup.error()).c_str());
    std::exit(2);
  }
  auto start = std::chrono::steady_clock::now();
  // A subscriber that prints each event (the helper acknowledges what it read).
  vigil::subscriber_handlers show;
  show.on_snapshot = [](const vigil::snapshot& s) {
    std::printf("subscribed at seq %llu (%zu agents known)\n",
                static_cast<unsigned long long>(s.seq), s.agents.size());
  };
  show.on_event = [start](const vigil::event& e) {
    print(e, start);
  };
  fleet.add(vigil::spawn_subscriber(sys, *sup, vigil::subscription_request{}, show));
  self->receive(caf::after(50ms) >> [] {}); // let it subscribe
  vigil::agent_settings settings;
  settings.heartbeat_interval = 500ms;
  auto spawn = [&](std::string id, caf::actor worker = {}) {
    vigil::agent_options opts{std::move(id), "coder"};
    opts.settings = settings;
    opts.worker = std::move(worker);
    auto a = fleet.add(vigil::spawn_agent(sys, *sup, std::move(opts)));
    if (!a) {
      std::fprintf(stderr, "vigil-demo: %s\n", sys.render(a.error()).c_str());
      std::exit(2);
    }
    return *a;
  };
  auto worker = sys.spawn(coder_work);
  auto c1 = spawn("coder-1", worker);
  auto c2 = spawn("coder-2");
  auto c3 = spawn("coder-3");
  auto pause = [&](auto d) {
    self->receive(caf::after(d) >> [] {});
  };
  auto refused = [&](caf::error& err) {
    std::printf("%9s refused: %s\n", "", sys.render(err).c_str());
  };
  auto offer = [&](const vigil::agent_actor& agent, vigil::slot_kind kind,
                   std::string task) {
    self->request(agent, 1s, vigil::slot_atom::value, kind, std::move(task))
        .receive([](vigil::slot_outcome) {}, refused);
  };
  auto ask = [&](const vigil::agent_actor& agent, auto... xs) {
    self->request(agent, 1s, xs...).receive([] {}, refused);
  };
  pause(100ms);
  offer(c1, vigil::slot_kind::work, "fix bug");
  offer(c1, vigil::slot_kind::on_call, "page");
  ask(c2, vigil::quota_atom::value, vigil::quota_reason::rate_limit,
      vigil::duration{1s});
  pause(20ms);
  offer(c2, vigil::slot_kind::work, "too soon");
  offer(c3, vigil::slot_kind::work, "flaky");
  pause(800ms);
  ask(c3, vigil::fail_atom::value, std::string{"tool crashed"});
  pause(700ms);
  ask(c1, vigil::complete_atom::value);
  self->request(*sup, 1s, vigil::kill_atom::value, std::string{"coder-2"})
      .receive([] {}, refused);
  pause(100ms);
  self->request(*sup, 1s, vigil::count_atom::value)
      .receive(
          [](const vigil::fleet_counts& counts) {
            std::printf("\nfleet:\n");
            for (auto& [state, n] : counts.by_state)
              std::printf("  %-10s %llu\n", to_string(state).c_str(),
                          static_cast<unsigned long long>(n));
            std::printf("  %-10s %llu\n", "total",
                        static_cast<unsigned long long>(counts.registered));
          },
          refused);
  // `fleet` ends: the supervisor stops its agents (and they their workers), records
  // their ends, then the subscriber goes.
}

} // namespace

CAF_MAIN()
