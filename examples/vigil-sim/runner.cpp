// The simulation: a driver sends the agents what the timeline says; a shim per agent
// plays the user's work (slots that finish by themselves, periodic output) and the
// network between the agent and the supervisor (partition). A hang is the agent
// actor's own: it answers nothing until it wakes. A restart is a new life of the id,
// started by its node's spawner (lives.hpp), on which later entries act.
#include "runner.hpp"

#include "drain.hpp"
#include "expectation_judge.hpp"
#include "lives.hpp"
#include "recorder.hpp"
#include "shim.hpp"
#include "speed.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
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
#include "vigil/actors/fleet_scheduler.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::sim {

namespace {

struct sim_config : caf::actor_system_config {
  explicit sim_config(bool virtual_time) {
    if (virtual_time) {
      set("scheduler.policy", caf::atom("testing"));
    } else {
      set("scheduler.max-threads", 2); // 2-core machines
      use_fleet_scheduler(*this);      // as vigil-node: FIFO, no lock per job
    }
    register_types(*this);
  }
};

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
    lives_.kill_all();
    caf::anon_send_exit(collector_, caf::exit_reason::kill);
    caf::anon_send_exit(sup_, caf::exit_reason::kill);
    settle();
    lives_.release();
    sys_.await_actors_before_shutdown(false);
  }

  run_result go() {
    auto wall0 = std::chrono::steady_clock::now();
    auto lvl = spdlog::level::from_str(s_.config.log_level);
    log()->set_level(lvl);
    auto sup = spawn_supervisor(sys_, s_.config.supervisor, supervisor_options_here());
    if (!sup) { // the settings were checked; a store may still be unusable
      run_result failed;
      failed.error = sys_.render(sup.error());
      return failed;
    }
    sup_ = *sup;
    lives_.bind(sys_, sup_);
    start_ = sys_.clock().now();
    wall0_ = std::chrono::steady_clock::now();
    rec_.start = start_;
    collector_ = spawn_collector(sys_, sup_, &rec_);
    settle();
    { // realtime: nothing may happen before the stream is watched
      std::unique_lock<std::mutex> guard{rec_.mx};
      rec_.ready.wait_for(guard, std::chrono::seconds(10),
                          [&] { return rec_.subscribed; });
    }
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
        verdicts_.push_back(judge().on_history(e, rec_.events));
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
      drain(*sched_);
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
      drain(sched);
    }
    hour_marks(until, next_hour);
    sched.advance_time(until - sched.clock().now());
    drain(sched);
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
        opts_.on_progress(scaled(now - wall0_, speed_), n);
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
      lives_.partition(a.node, a.kind == action_kind::partition);
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
    auto now = lives_.current(i); // the id's current life (DESIGN §12)
    auto& agent = now.agent;
    auto& sh = now.shim;
    switch (a.kind) {
    case action_kind::spawn:
      lives_.spawn(i);
      break;
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
      caf::anon_send(agent, hang_atom::value);
      break;
    case action_kind::wake:
      caf::anon_send(agent, wake_atom::value);
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

  /// In virtual time the store writer is scheduled like every other actor and stored
  /// times are the virtual clock's; with --realtime, as in any program.
  supervisor_options supervisor_options_here() const {
    supervisor_options x;
    if (sched_) {
      x.detached_store_writer = false;
      x.store_times = store_time_base::clock_epoch;
    }
    // Restart jitter repeats exactly from run to run, also without a seed in the file.
    x.restart_seed = s_.seed ? *s_.seed : uint64_t{21};
    return x;
  }

  void check(const expectation& e) {
    std::lock_guard<std::mutex> guard{rec_.mx};
    verdicts_.push_back(judge().at_instant(e, rec_.model));
  }

  expectation_judge judge() const {
    return {s_, start_, speed_, sched_ ? duration{0} : opts_.realtime_slack};
  }

  const scenario& s_;
  const run_options& opts_;
  double speed_;
  sim_config cfg_;
  /// Before the system: destroyed after it, when no spawner can call back any more.
  lives lives_{s_};
  caf::actor_system sys_{cfg_};
  caf::scheduler::test_coordinator* sched_; ///< Null in realtime.
  std::chrono::steady_clock::time_point wall0_;
  supervisor_actor sup_;
  caf::actor collector_;
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
  for (auto& e : result.events)
    e = slower(std::move(e), result.start, opts.speed);
  for (auto& v : result.verdicts)
    v.what = &s.expectations[static_cast<size_t>(v.what - fast.expectations.data())];
  return result;
}

} // namespace vigil::sim
