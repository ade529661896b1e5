// Spawning vigil's agent actor, and its watch on the user's worker: a worker that goes
// down ends the agent `failed` (the agent cannot work without it), and the agent ends
// the worker it owns when it ends (agent_state.hpp, the state's destructor).
#include "vigil/actors/agent.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/logger.h>

#include "agent_state.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"

namespace vigil {

namespace detail::agent {

namespace {

/// The word for an exit reason, for a transition's `reason` (`worker:<word>`).
std::string exit_word(const caf::error& x) {
  if (!x)
    return "normal"; // `quit()` without a reason
  if (x.category() == caf::atom("exit"))
    return to_string(static_cast<caf::exit_reason>(x.code()));
  if (x.category() == caf::atom("system"))
    return to_string(static_cast<caf::sec>(x.code()));
  if (auto code = code_of(x); code != errc::none)
    return to_string(code);
  // Another category: its atom and code, e.g. "myapp_3".
  return to_string(x.category()) + "_" + std::to_string(x.code());
}

/// At most `max_text_bytes` (what a supervisor accepts), cut at a character boundary.
std::string fit_text(std::string text) {
  if (text.size() <= max_text_bytes)
    return text;
  auto n = max_text_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
    --n; // not inside a UTF-8 sequence
  text.resize(n);
  return text;
}

/// The agent's down handler: it monitors only its worker. A plain function, so the
/// handler costs the actor nothing (std::function keeps a pointer in place).
void on_down(caf::scheduled_actor* ptr, caf::down_msg& dm) {
  auto self = static_cast<self_ptr>(ptr);
  auto& st = self->state;
  if (!st.worker || dm.source != st.worker.address() || is_terminal(st.current))
    return;
  auto text = "worker exited: " + self->system().render(dm.reason);
  agent_log().warn("agent {}: its {}; it ends failed", st.id, text);
  end(self, st, agent_state::failed, "worker:" + exit_word(dm.reason),
      fit_text(std::move(text)));
}

caf::behavior agent_impl(self_ptr self, agent_facing_supervisor supervisor,
                         agent_options opts) {
  auto& st = self->state;
  st.worker = std::move(opts.worker);
  st.owns_worker = opts.owns_worker;
  st.adopt(opts, std::move(supervisor));
  // Not monitored: losing the supervisor changes nothing here. The agent keeps its
  // state and work until it is handed a new one (`supervisor_atom`), then registers
  // again; the node's uplink says once that the connection went, where a million
  // agents would each say it (and each monitor costs about 50 B). Nor is the pacer:
  // it says so itself when it ends (`pace_atom, its address`). The worker is: the
  // agent cannot work without it (the monitor lives in the worker, about 50 B per
  // agent that uses it; an agent without a worker pays nothing).
  self->set_default_handler(by_state);
  if (st.worker) {
    self->set_down_handler(on_down);
    self->monitor(st.worker); // a worker dead already: its down message comes at once
  }
  register_self(self, st, take_next_hook);
  return held_behaviour();
}

} // namespace

} // namespace detail::agent

caf::expected<agent_actor> spawn_agent(caf::actor_system& sys,
                                       agent_facing_supervisor supervisor,
                                       agent_options options) {
  if (options.id.empty())
    return make_error(errc::bad_config, std::string{"agent id"},
                      std::string{"is empty"});
  if (!supervisor)
    return make_error(errc::bad_config, "agent " + options.id,
                      std::string{"has no supervisor handle"});
  if (auto err = validate(options.settings))
    return err;
  // The behaviours are dynamic (one per state, beside the tick); the typed handle
  // states the contract every one of them honours.
  auto untyped =
      sys.spawn(detail::agent::agent_impl, std::move(supervisor), std::move(options));
  return caf::actor_cast<agent_actor>(std::move(untyped));
}

} // namespace vigil
