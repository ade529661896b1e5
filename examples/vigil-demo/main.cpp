// vigil-demo: three agents live a few seconds of real time; every transition they
// report is printed as it reaches a small printing stand-in for the supervisor.
#include <chrono>
#include <cstdio>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exec_main.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/logger.h>

#include "vigil/actors/agent.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/messages/register_types.hpp"

using namespace std::chrono_literals;

namespace {

struct printer_state {
  static inline const char* name = "vigil-demo.printer";
  vigil::time_point start;
};

template <class Self>
double seconds_since(Self* self) {
  return std::chrono::duration<double>(self->clock().now() - self->state.start).count();
}

// Stands in for the supervisor of a later release: prints what agents report.
vigil::agent_facing_supervisor::behavior_type
printer(vigil::agent_facing_supervisor::stateful_pointer<printer_state> self) {
  self->state.start = self->clock().now();
  return {
      [self](vigil::registration& x) {
        std::printf("%7.3fs  %-8s registers (type %s, node %s)\n", seconds_since(self),
                    x.id.c_str(), x.type.c_str(), x.node.c_str());
      },
      [self](vigil::heartbeat& x) {
        std::printf("%7.3fs  %-8s heartbeat (%s v%llu)\n", seconds_since(self),
                    x.id.c_str(), to_string(x.state).c_str(),
                    static_cast<unsigned long long>(x.version));
      },
      [self](vigil::transition_report& x) {
        auto extra = x.recovery_in
                         ? ", back in " + vigil::format_duration(*x.recovery_in)
                         : std::string{};
        if (!x.error.empty())
          extra += ", error: " + x.error;
        std::printf("%7.3fs  %-8s %s -> %s (%s%s) v%llu\n", seconds_since(self),
                    x.id.c_str(), to_string(x.from).c_str(), to_string(x.to).c_str(),
                    x.reason.c_str(), extra.c_str(),
                    static_cast<unsigned long long>(x.version));
      },
  };
}

// The user's work code for coder-1: every slot takes 300 ms, then reports finish.
caf::behavior coder_work(caf::event_based_actor* self, caf::actor agent) {
  return {
      [=](vigil::work_atom, vigil::slot_kind, const std::string&) {
        self->delayed_send(agent, 300ms, vigil::finish_atom::value);
      },
  };
}

struct demo_config : caf::actor_system_config {
  demo_config() { vigil::register_types(*this); }
};

void caf_main(caf::actor_system& sys, const demo_config&) {
  vigil::log()->set_level(spdlog::level::warn); // the printer tells the story
  caf::scoped_actor self{sys};
  auto sup = sys.spawn(printer);
  vigil::agent_settings settings;
  settings.heartbeat_interval = 500ms;
  auto spawn = [&](std::string id, caf::actor worker = {}) {
    vigil::agent_options opts{std::move(id), "coder"};
    opts.settings = settings;
    opts.worker = std::move(worker);
    auto a = vigil::spawn_agent(sys, sup, std::move(opts));
    if (!a) {
      std::fprintf(stderr, "vigil-demo: %s\n", sys.render(a.error()).c_str());
      std::exit(2);
    }
    return *a;
  };
  // coder-1's worker must know its agent; the agent must know its worker.
  auto relay = sys.spawn([](caf::event_based_actor* s) -> caf::behavior {
    return {[=](caf::actor& agent) {
      s->become(coder_work(s, agent));
    }};
  });
  auto c1 = spawn("coder-1", relay);
  self->send(relay, caf::actor_cast<caf::actor>(c1));
  auto c2 = spawn("coder-2");
  auto c3 = spawn("coder-3");
  auto pause = [&](auto d) {
    self->receive(caf::after(d) >> [] {});
  };
  auto refused = [&](caf::error& err) {
    std::printf("%7s  refused: %s\n", "", sys.render(err).c_str());
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
  offer(c2, vigil::slot_kind::work, "too soon");
  offer(c3, vigil::slot_kind::work, "flaky");
  pause(800ms);
  ask(c3, vigil::fail_atom::value, std::string{"tool crashed"});
  pause(700ms);
  ask(c1, vigil::complete_atom::value);
  ask(c2, vigil::kill_atom::value);
  pause(100ms);
  self->send_exit(relay, caf::exit_reason::user_shutdown);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
}

} // namespace

CAF_MAIN()
