// The virtual fleet: CAF's test coordinator, a supervisor in virtual time, a collecting
// subscriber.
#include "vigil/testing/virtual_fleet.hpp"

#include <stdexcept>

#include <caf/atom.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "vigil/messages/register_types.hpp"
#include "vigil/supervisors/subscriber.hpp"

namespace vigil::testing {

namespace {

supervisor_actor start(caf::actor_system& sys, supervisor_settings settings) {
  // Virtual time: the store writer is scheduled like every actor, stored times are the
  // virtual clock's own.
  supervisor_options options{false, store_time_base::clock_epoch, caf::none};
  auto x = spawn_supervisor(sys, std::move(settings), options);
  if (!x)
    throw std::runtime_error("virtual_fleet: " + sys.render(x.error()));
  return *x;
}

} // namespace

virtual_fleet::config::config(const configure_fn& configure) {
  set("scheduler.policy", caf::atom("testing"));
  register_types(*this);
  if (configure)
    configure(*this);
}

virtual_fleet::virtual_fleet(supervisor_settings settings, configure_fn configure)
    : cfg_(configure), sys(cfg_),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      supervisor(start(sys, std::move(settings))),
      events_(std::make_shared<std::vector<event>>()) {
  track(supervisor);
  auto out = events_;
  track(spawn_subscriber(sys, supervisor, subscription_filter{},
                         [out](const event& e) { out->push_back(e); }));
  run();
}

virtual_fleet::~virtual_fleet() {
  for (auto& [id, a] : agents_)
    caf::anon_send_exit(a, caf::exit_reason::kill);
  for (auto& a : tracked_)
    caf::anon_send_exit(a, caf::exit_reason::kill);
  sched.run();
  // Pending timers keep their receivers alive; nobody runs the clock any more.
  sys.await_actors_before_shutdown(false);
}

agent_actor virtual_fleet::add_agent(agent_options options) {
  auto id = options.id;
  auto x = spawn_agent(sys, supervisor, std::move(options));
  if (!x)
    throw std::runtime_error("virtual_fleet: " + sys.render(x.error()));
  agents_[id] = *x;
  run();
  return *x;
}

agent_actor virtual_fleet::add_agent(const std::string& id, const std::string& type) {
  return add_agent(agent_options{id, type});
}

agent_actor virtual_fleet::agent(const std::string& id) const {
  auto i = agents_.find(id);
  return i != agents_.end() ? i->second : agent_actor{};
}

void virtual_fleet::hang(const std::string& id) {
  auto a = agent(id);
  if (!a)
    throw std::runtime_error("virtual_fleet: no agent \"" + id + "\" to hang");
  caf::anon_send(a, hang_atom::value);
  run();
}

void virtual_fleet::wake(const std::string& id) {
  auto a = agent(id);
  if (!a)
    throw std::runtime_error("virtual_fleet: no agent \"" + id + "\" to wake");
  caf::anon_send(a, wake_atom::value);
  run();
}

void virtual_fleet::run() {
  sched.run();
}

void virtual_fleet::advance(duration d) {
  // CAF's advance_time alone fires every due timer at the final time, so a re-arm
  // for an instant that passed would wait for the next advance.
  auto until = now() + d;
  auto& pending = sched.clock().schedule();
  while (!pending.empty() && pending.begin()->first <= until) {
    sched.trigger_timeout(); // moves the clock to this timer's due time
    sched.run();
  }
  sched.advance_time(until - now());
  sched.run();
}

std::optional<duration> virtual_fleet::advance_to_next_deadline() {
  auto& pending = sched.clock().schedule();
  if (pending.empty())
    return std::nullopt;
  auto d = std::max(duration::zero(), pending.begin()->first - now());
  advance(d);
  return d;
}

time_point virtual_fleet::now() {
  return sched.clock().now();
}

size_t virtual_fleet::pending_timers() {
  return sched.clock().schedule().size();
}

caf::expected<agent_status> virtual_fleet::status(const std::string& id) {
  return ask<agent_status>(supervisor, status_atom::value, id);
}

agent_state virtual_fleet::state_of(const std::string& id) {
  auto x = status(id);
  if (!x)
    throw std::runtime_error("virtual_fleet: " + sys.render(x.error()));
  return x->state;
}

std::vector<event> virtual_fleet::events_of(const std::string& id) const {
  std::vector<event> xs;
  for (auto& e : *events_)
    if (e.agent == id)
      xs.push_back(e);
  return xs;
}

std::vector<event> virtual_fleet::events_of(event_kind kind) const {
  std::vector<event> xs;
  for (auto& e : *events_)
    if (e.kind == kind)
      xs.push_back(e);
  return xs;
}

} // namespace vigil::testing
