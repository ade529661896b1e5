// The simulation: a driver sends the agents what the timeline says; a shim per agent
// plays the user's work (slots that finish by themselves, periodic output) and the
// network between the agent and the supervisor (hang, partition).
#include "runner.hpp"

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/spdlog.h>

#include "vigil/actors/agent.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::sim {

namespace {

using hang_atom = caf::atom_constant<caf::atom("sim_hang")>;
using wake_atom = caf::atom_constant<caf::atom("sim_wake")>;
using partition_atom = caf::atom_constant<caf::atom("sim_part")>;
using stop_work_atom = caf::atom_constant<caf::atom("sim_stop")>;
using finish_tick_atom = caf::atom_constant<caf::atom("sim_fin")>;
using activity_tick_atom = caf::atom_constant<caf::atom("sim_act")>;

struct shim_state {
  static inline const char* name = "vigil.sim.shim";
  supervisor_actor sup;
  caf::actor agent;
  std::string id;
  bool hung = false;
  bool partitioned = false;
  uint64_t token = 0; ///< The slot whose simulated work is running.
  agent_state state = agent_state::spawning;
  uint64_t version = 0;
};

using shim_ptr = caf::stateful_actor<shim_state>*;

// The simulated work of a slot travels in its task text: "run_for_ns/every_ns".
std::string encode_work(const action& a) {
  return std::to_string(a.run_for ? a.run_for->count() : 0) + "/" +
         std::to_string(a.activity_every ? a.activity_every->count() : 0);
}

caf::behavior shim(shim_ptr self, supervisor_actor sup, std::string id) {
  self->state.sup = std::move(sup);
  self->state.id = std::move(id);
  // The shim is the agent's link to the supervisor, so the supervisor knows the shim as
  // the owner. Linked to the agent, it ends with the agent's exit reason, after
  // everything the agent sent before (and an exit for the shim ends the agent).
  self->set_exit_handler([self](caf::exit_msg& msg) { self->quit(msg.reason); });
  auto pass = [self](bool also_when_hung = true) {
    auto& st = self->state;
    return !st.partitioned && (also_when_hung || !st.hung);
  };
  // Requests go on as the shim's own; their answers go back to the agent.
  auto relay = [self](auto msg) -> caf::result<void> {
    auto rp = self->make_response_promise();
    self->request(self->state.sup, caf::infinite, std::move(msg))
        .then([rp]() mutable { rp.deliver(caf::unit); },
              [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
    return rp;
  };
  return {
      // As the network: agent -> supervisor; lost while partitioned (answers too).
      [=](registration& x) -> caf::result<void> {
        if (!pass())
          return self->make_response_promise(); // never answered
        return relay(std::move(x));
      },
      [=](heartbeat& x) {
        self->state.state = x.state;
        self->state.version = x.version;
        if (pass(false))
          self->send(self->state.sup, std::move(x));
      },
      [=](transition_report& x) -> caf::result<void> {
        self->state.state = x.to;
        self->state.version = x.version;
        if (!pass())
          return self->make_response_promise();
        return relay(std::move(x));
      },
      [=](activity_report& x) {
        if (pass(false))
          self->send(self->state.sup, std::move(x));
      },
      [=](child_report& x) {
        if (pass())
          self->send(self->state.sup, std::move(x));
      },
      // As the user's work.
      [=](caf::actor& agent) {
        self->link_to(agent);
        self->state.agent = std::move(agent);
      },
      [=](work_atom, slot_kind, const std::string& task) {
        auto& st = self->state;
        auto token = ++st.token;
        auto slash = task.find('/');
        duration run_for{std::stoll(task.substr(0, slash))};
        duration every{std::stoll(task.substr(slash + 1))};
        if (run_for > duration::zero())
          self->delayed_send(self, run_for, finish_tick_atom::value, token);
        if (every > duration::zero())
          self->delayed_send(self, every, activity_tick_atom::value, token, every);
      },
      [=](finish_tick_atom, uint64_t token) {
        if (token != self->state.token)
          return;
        ++self->state.token; // its output stops with it
        caf::anon_send(self->state.agent, finish_atom::value);
      },
      [=](activity_tick_atom, uint64_t token, duration every) {
        if (token != self->state.token)
          return;
        if (!self->state.hung)
          caf::anon_send(self->state.agent, activity_atom::value);
        self->delayed_send(self, every, activity_tick_atom::value, token, every);
      },
      [=](stop_work_atom) { ++self->state.token; },
      [=](hang_atom) { self->state.hung = true; },
      [=](wake_atom) {
        auto& st = self->state;
        st.hung = false;
        if (!st.partitioned) // "with a beat at once"
          self->send(st.sup, heartbeat{st.id, st.state, st.version});
      },
      [=](partition_atom, bool on) { self->state.partitioned = on; },
  };
}

struct recorder {
  std::mutex mx; ///< Realtime: the collector runs on a worker thread.
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
        auto x = e;
        auto slow = [&](duration d) {
          return duration{static_cast<int64_t>(static_cast<double>(d.count()) * speed)};
        };
        x.at = start + slow(e.at - start);
        if (x.recovery_at)
          x.recovery_at = start + slow(*e.recovery_at - start);
        x.waited = slow(e.waited);
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

caf::behavior collector(caf::event_based_actor* self, supervisor_actor sup,
                        recorder* rec) {
  self->request(sup, caf::infinite, subscription_request{}).then([](snapshot&) {});
  return {
      [=](event_batch& b) {
        auto last = b.events.back().seq;
        for (auto& e : b.events)
          rec->on(std::move(e));
        self->send(sup, ack_atom::value, last);
      },
      [=](snapshot& s) {
        spdlog::error("vigil-sim: the event stream lost {} events", s.missed);
      },
  };
}

struct sim_config : caf::actor_system_config {
  explicit sim_config(bool virtual_time) {
    if (virtual_time)
      set("scheduler.policy", caf::atom("testing"));
    else
      set("scheduler.max-threads", 2); // 2-core machines
    register_types(*this);
  }
};

duration scaled(duration d, double speed) {
  return duration{static_cast<int64_t>(static_cast<double>(d.count()) / speed)};
}

void scale(std::optional<duration>& d, double speed) {
  if (d)
    d = scaled(*d, speed);
}

void scale(heartbeat_settings& x, double speed) {
  x.interval = scaled(x.interval, speed);
  x.timeout = scaled(x.timeout, speed);
  x.check_interval = scaled(x.check_interval, speed);
  x.lag_grace = scaled(x.lag_grace, speed);
}

void scale(watchdog_settings& x, double speed) {
  for (auto* d : {&x.idle_timeout, &x.max_session, &x.max_waiting_on_child,
                  &x.max_waiting_on_child_no_progress, &x.suspect_waiting_on_child,
                  &x.drain_window, &x.status_interval})
    scale(*d, speed);
}

// --realtime --speed X: the same scenario with every span X times shorter.
scenario faster(const scenario& s, double speed) {
  auto x = s;
  auto& sup = x.config.supervisor;
  scale(sup.heartbeat, speed);
  scale(sup.watchdog, speed);
  for (auto& [type, ts] : sup.types) {
    scale(ts.heartbeat, speed);
    scale(ts.watchdog, speed);
  }
  sup.retention = scaled(sup.retention, speed);
  x.config.agent.heartbeat_interval = scaled(x.config.agent.heartbeat_interval, speed);
  x.config.agent.default_recovery = scaled(x.config.agent.default_recovery, speed);
  x.config.agent.activity_report_interval =
      scaled(x.config.agent.activity_report_interval, speed);
  for (auto& a : x.timeline) {
    a.at = scaled(a.at, speed);
    scale(a.run_for, speed);
    scale(a.activity_every, speed);
    scale(a.retry_after, speed);
  }
  for (auto& e : x.expectations) {
    e.at = scaled(e.at, speed);
    scale(e.event_at, speed);
    e.tolerance = scaled(e.tolerance, speed);
    if (e.between)
      e.between = std::make_pair(scaled(e.between->first, speed),
                                 scaled(e.between->second, speed));
  }
  x.until = scaled(x.until, speed);
  return x;
}

class simulation {
public:
  simulation(const scenario& s, const run_options& opts)
      : s_(s), opts_(opts), speed_(opts.realtime ? opts.speed : 1.0),
        cfg_(!opts.realtime),
        sched_(dynamic_cast<caf::scheduler::test_coordinator*>(&sys_.scheduler())) {
    rec_.opts = &opts;
    rec_.speed = speed_;
  }

  ~simulation() {
    for (auto& a : agents_)
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::kill);
    for (auto& x : shims_)
      if (x)
        caf::anon_send_exit(x, caf::exit_reason::kill);
    caf::anon_send_exit(collector_, caf::exit_reason::kill);
    caf::anon_send_exit(sup_, caf::exit_reason::kill);
    settle();
    sys_.await_actors_before_shutdown(false);
  }

  run_result go() {
    auto wall0 = std::chrono::steady_clock::now();
    auto lvl = spdlog::level::from_str(s_.config.log_level);
    log()->set_level(lvl);
    auto sup = spawn_supervisor(sys_, s_.config.supervisor);
    sup_ = *sup; // settings were validated by the loader
    start_ = sys_.clock().now();
    wall0_ = std::chrono::steady_clock::now();
    rec_.start = start_;
    collector_ = sys_.spawn(collector, sup_, &rec_);
    settle();
    agents_.resize(s_.agents.size());
    shims_.resize(s_.agents.size());
    // Actions first, then the checks of the same instant.
    std::vector<const expectation*> checks;
    for (auto& e : s_.expectations)
      if (e.kind == expectation_kind::state_at)
        checks.push_back(&e);
    std::stable_sort(checks.begin(), checks.end(),
                     [](auto x, auto y) { return x->at < y->at; });
    size_t a = 0;
    size_t c = 0;
    auto next_hour = std::chrono::hours(1);
    while (a < s_.timeline.size() || c < checks.size()) {
      auto t_action = a < s_.timeline.size() ? s_.timeline[a].at : duration::max();
      auto t_check = c < checks.size() ? checks[c]->at : duration::max();
      auto t = std::min(t_action, t_check);
      if (t > s_.until)
        break;
      advance_to(t, next_hour);
      if (t_action <= t_check) {
        perform(s_.timeline[a++]);
      } else {
        if (!sched_) // realtime: let the timers due at t land first
          wait_until(t + opts_.realtime_slack);
        check(*checks[c++]);
      }
    }
    advance_to(s_.until, next_hour);
    std::lock_guard<std::mutex> guard{rec_.mx}; // realtime: the collector still runs
    run_result result;
    result.start = start_;
    for (auto& e : s_.expectations)
      if (e.kind != expectation_kind::state_at)
        judge(e);
    result.verdicts = std::move(verdicts_);
    std::stable_sort(
        result.verdicts.begin(), result.verdicts.end(),
        [&](const verdict& x, const verdict& y) { return x.what < y.what; });
    result.final_counts = rec_.counts();
    result.events = std::move(rec_.events);
    result.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return result;
  }

private:
  // Fires every timer at its own instant up to start + t (all timers of one instant at
  // once), then leaves the clock at start + t.
  /// Lets everything sent so far take effect (virtual time: runs the actors).
  void settle() {
    if (sched_)
      sched_->run();
  }

  void advance_to(duration t, std::chrono::hours& next_hour) {
    if (!sched_) {
      wait_until(t);
      return;
    }
    auto& sched = *sched_;
    auto until = start_ + t;
    auto& pending = sched.clock().schedule();
    while (!pending.empty() && pending.begin()->first <= until) {
      auto next = pending.begin()->first;
      hour_marks(next, next_hour);
      sched.advance_time(next - sched.clock().now());
      sched.run();
    }
    hour_marks(until, next_hour);
    sched.advance_time(until - sched.clock().now());
    sched.run();
  }

  // Realtime: sleeps until scenario time t (wall time t), reporting progress.
  void wait_until(duration t) {
    auto deadline = wall0_ + t;
    for (;;) {
      auto now = std::chrono::steady_clock::now();
      if (opts_.on_progress) {
        size_t n = 0;
        {
          std::lock_guard<std::mutex> guard{rec_.mx};
          n = rec_.events.size();
        }
        opts_.on_progress(scaled(now - wall0_, 1.0 / speed_), n);
      }
      if (now >= deadline)
        return;
      std::this_thread::sleep_until(
          std::min(deadline, now + std::chrono::milliseconds(500)));
    }
  }

  void hour_marks(time_point t, std::chrono::hours& next_hour) {
    while (opts_.on_hour && start_ + next_hour <= t) {
      opts_.on_hour(next_hour, rec_.counts());
      next_hour += std::chrono::hours(1);
    }
  }

  void perform(const action& a) {
    if (a.kind == action_kind::partition || a.kind == action_kind::heal) {
      for (size_t i = 0; i < s_.agents.size(); ++i)
        if (s_.agents[i].node == a.node && shims_[i])
          caf::anon_send(shims_[i], partition_atom::value,
                         a.kind == action_kind::partition);
      settle();
      return;
    }
    for (auto i : a.agents) {
      perform_on(a, i);
      settle(); // entries at the same time take effect in file order
    }
  }

  void perform_on(const action& a, size_t i) {
    auto& spec = s_.agents[i];
    auto& agent = agents_[i];
    auto& sh = shims_[i];
    switch (a.kind) {
    case action_kind::spawn: {
      sh = sys_.spawn(shim, sup_, spec.id);
      agent_options opts{spec.id, spec.type, spec.node};
      opts.settings = s_.config.agent_for(spec.type);
      opts.worker = sh;
      auto x = spawn_agent(sys_, caf::actor_cast<agent_facing_supervisor>(sh), opts);
      agent = caf::actor_cast<caf::actor>(*x);
      caf::anon_send(sh, agent);
      break;
    }
    case action_kind::slot:
      caf::anon_send(agent, slot_atom::value, a.slot, encode_work(a));
      break;
    case action_kind::finish:
      caf::anon_send(agent, finish_atom::value);
      caf::anon_send(sh, stop_work_atom::value);
      break;
    case action_kind::quota:
      if (a.retry_after)
        caf::anon_send(agent, quota_atom::value, a.reason, *a.retry_after);
      else
        caf::anon_send(agent, quota_atom::value, a.reason);
      caf::anon_send(sh, stop_work_atom::value);
      break;
    case action_kind::activity:
      caf::anon_send(agent, activity_atom::value);
      break;
    case action_kind::child_start:
    case action_kind::child_exit: {
      child_report r;
      r.children = a.kind == action_kind::child_start ? 1 : 0;
      r.evidence = a.evidence;
      caf::anon_send(agent, std::move(r));
      break;
    }
    case action_kind::hang:
      caf::anon_send(sh, hang_atom::value);
      break;
    case action_kind::wake:
      caf::anon_send(sh, wake_atom::value);
      break;
    case action_kind::crash:
      // Dies at once with this reason, reporting nothing (an exit it cannot trap).
      caf::anon_send(
          agent, caf::exit_msg{caf::actor_addr{},
                               caf::make_error(caf::sec::runtime_error,
                                               a.error.empty() ? "crash" : a.error)});
      break;
    case action_kind::complete:
      caf::anon_send(agent, complete_atom::value);
      break;
    case action_kind::fail:
      caf::anon_send(agent, fail_atom::value, a.error.empty() ? "failed" : a.error);
      break;
    case action_kind::kill:
      caf::anon_send(sup_, kill_atom::value, spec.id);
      break;
    case action_kind::pause:
      caf::anon_send(sup_, pause_atom::value, spec.id);
      break;
    case action_kind::resume:
      caf::anon_send(sup_, resume_atom::value, spec.id);
      break;
    default:
      break;
    }
  }

  void check(const expectation& e) {
    std::lock_guard<std::mutex> guard{rec_.mx};
    for (auto i : e.agents) {
      auto& id = s_.agents[i].id;
      auto it = rec_.model.find(id);
      auto seen =
          it == rec_.model.end() ? std::string{"no record"} : to_string(it->second);
      if (it == rec_.model.end() || it->second != e.state) {
        fail(e, "agent " + id + " at " + fmt_s(e.at) + ": expected " +
                    to_string(e.state) + ", found " + seen);
        return;
      }
    }
    verdicts_.push_back({&e, true, {}});
  }

  void judge(const expectation& e) {
    if (e.kind == expectation_kind::states) {
      std::map<std::string, std::vector<agent_state>> seq;
      for (auto& ev : rec_.events)
        if (ev.kind == event_kind::registered || ev.kind == event_kind::transition)
          seq[ev.agent].push_back(ev.to);
      for (auto i : e.agents) {
        auto& id = s_.agents[i].id;
        if (seq[id] != e.states) {
          fail(e, "agent " + id + ": expected states " + join(e.states) + ", saw " +
                      join(seq[id]));
          return;
        }
      }
      verdicts_.push_back({&e, true, {}});
      return;
    }
    std::set<std::string> ids;
    for (auto i : e.agents)
      ids.insert(s_.agents[i].id);
    std::map<std::string, std::vector<duration>> times;
    for (auto& ev : rec_.events) {
      if (ev.kind != e.event || !ids.count(ev.agent))
        continue;
      if (e.to && ev.to != *e.to)
        continue;
      if (e.reason && ev.reason != *e.reason)
        continue;
      times[ev.agent].push_back(ev.at - start_);
    }
    auto what = to_string(e.event) + (e.to ? " to " + to_string(*e.to) : "") +
                (e.reason ? " (" + *e.reason + ")" : "");
    for (auto& id : ids) {
      auto& ts = times[id];
      std::string seen = ts.empty() ? "none" : "at " + join(ts);
      if (e.count && ts.size() != *e.count) {
        fail(e, "agent " + id + ": expected " + std::to_string(*e.count) + " " + what +
                    " event(s), saw " + std::to_string(ts.size()) + " (" + seen + ")");
        return;
      }
      auto in = [&](duration lo, duration hi) {
        return std::any_of(ts.begin(), ts.end(),
                           [&](duration t) { return lo <= t && t <= hi; });
      };
      auto tol = e.tolerance + slack();
      if (e.event_at && !in(*e.event_at - tol, *e.event_at + tol)) {
        fail(e, "agent " + id + ": expected " + what + " at " + fmt_s(*e.event_at) +
                    " (+/- " + fmt_s(e.tolerance) + "), saw " + seen);
        return;
      }
      if (e.between && !in(e.between->first - slack(), e.between->second + slack())) {
        fail(e, "agent " + id + ": expected " + what + " between " +
                    fmt_s(e.between->first) + " and " + fmt_s(e.between->second) +
                    ", saw " + seen);
        return;
      }
    }
    verdicts_.push_back({&e, true, {}});
  }

  duration slack() const { return sched_ ? duration{0} : opts_.realtime_slack; }

  // Times in messages are scenario times, whatever the speed.
  std::string fmt_s(duration d) const {
    return format_duration(
        std::chrono::duration_cast<std::chrono::milliseconds>(scaled(d, 1.0 / speed_)));
  }

  void fail(const expectation& e, std::string message) {
    verdicts_.push_back({&e, false, std::move(message)});
  }

  static std::string join(const std::vector<agent_state>& xs) {
    std::string result;
    for (auto x : xs)
      result += (result.empty() ? "" : ", ") + to_string(x);
    return result.empty() ? "none" : result;
  }

  std::string join(const std::vector<duration>& xs) const {
    std::string result;
    for (size_t i = 0; i < xs.size() && i < 5; ++i)
      result += (result.empty() ? "" : ", ") + fmt_s(xs[i]);
    if (xs.size() > 5)
      result += ", ...";
    return result;
  }

  const scenario& s_;
  const run_options& opts_;
  double speed_;
  sim_config cfg_;
  caf::actor_system sys_{cfg_};
  caf::scheduler::test_coordinator* sched_; ///< Null in realtime.
  std::chrono::steady_clock::time_point wall0_;
  supervisor_actor sup_;
  caf::actor collector_;
  std::vector<caf::actor> agents_;
  std::vector<caf::actor> shims_;
  recorder rec_;
  time_point start_;
  std::vector<verdict> verdicts_;
};

} // namespace

run_result run(const scenario& s, const run_options& opts) {
  if (!opts.realtime || opts.speed == 1.0) {
    simulation sim{s, opts};
    return sim.go();
  }
  auto fast = faster(s, opts.speed);
  run_result result;
  {
    simulation sim{fast, opts};
    result = sim.go();
  }
  // Back to scenario time: events, and verdicts pointing at the caller's expectations.
  auto slow = [&](time_point t) {
    return result.start +
           duration{static_cast<int64_t>(
               static_cast<double>((t - result.start).count()) * opts.speed)};
  };
  for (auto& e : result.events) {
    e.at = slow(e.at);
    if (e.recovery_at)
      e.recovery_at = slow(*e.recovery_at);
    e.waited = duration{
        static_cast<int64_t>(static_cast<double>(e.waited.count()) * opts.speed)};
  }
  for (auto& v : result.verdicts)
    v.what = &s.expectations[static_cast<size_t>(v.what - fast.expectations.data())];
  return result;
}

} // namespace vigil::sim
