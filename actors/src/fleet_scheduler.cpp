// The fleet scheduler's policy for CAF's `coordinator` template (see the header).
#include "vigil/actors/fleet_scheduler.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

#include <caf/actor_system_config.hpp>
#include <caf/logger.hpp>
#include <caf/policy/unprofiled.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/coordinator.hpp>

namespace vigil {

namespace {

class fleet_sharing : public caf::policy::unprofiled {
public:
  using queue_type = std::deque<caf::resumable*>;

  struct coordinator_data {
    explicit coordinator_data(caf::scheduler::abstract_coordinator*) {
      // nop
    }
    std::mutex lock;
    std::condition_variable cv;
    queue_type queue;                ///< Guarded by `lock`.
    std::atomic<size_t> queued{0};   ///< `queue.size()`, read without the lock.
    std::atomic<size_t> sleepers{0}; ///< Workers waiting on `cv`.
  };

  struct worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator*) {
      // nop
    }
    queue_type local;         ///< Touched by the worker's own thread only.
    bool shared_turn = false; ///< Alternates the shared and the local queue.
    bool started = false;
  };

  template <class Coordinator>
  void central_enqueue(Coordinator* self, caf::resumable* job) {
    auto& c = d(self);
    std::unique_lock<std::mutex> guard{c.lock};
    c.queue.push_back(job);
    c.queued.fetch_add(1, std::memory_order_relaxed);
    if (c.sleepers.load(std::memory_order_relaxed) > 0)
      c.cv.notify_one();
  }

  template <class Worker>
  void external_enqueue(Worker* self, caf::resumable* job) {
    central_enqueue(self->parent(), job);
  }

  /// A job an actor on this worker woke: ours, unless a worker sleeps.
  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* job) {
    if (d(self->parent()).sleepers.load(std::memory_order_relaxed) > 0)
      central_enqueue(self->parent(), job);
    else
      d(self).local.push_back(job);
  }

  /// A job that used up its throughput: to the back of the line.
  template <class Worker>
  void resume_job_later(Worker* self, caf::resumable* job) {
    internal_enqueue(self, job);
  }

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    auto& w = d(self);
    auto& c = d(self->parent());
    if (!w.started) {
      w.started = true;
      forget_logger();
    }
    w.shared_turn = !w.shared_turn;
    if (w.local.empty() ||
        (w.shared_turn && c.queued.load(std::memory_order_relaxed) > 0)) {
      std::unique_lock<std::mutex> guard{c.lock};
      if (!c.queue.empty() || w.local.empty()) {
        if (c.queue.empty()) {
          c.sleepers.fetch_add(1, std::memory_order_relaxed);
          c.cv.wait(guard, [&] { return !c.queue.empty(); });
          c.sleepers.fetch_sub(1, std::memory_order_relaxed);
        }
        auto job = c.queue.front();
        c.queue.pop_front();
        c.queued.fetch_sub(1, std::memory_order_relaxed);
        return job;
      }
    }
    if (w.local.size() > 1 && c.sleepers.load(std::memory_order_relaxed) > 0)
      share(w, c);
    auto job = w.local.front();
    w.local.pop_front();
    return job;
  }

  template <class Worker, class UnaryFunction>
  void foreach_resumable(Worker* self, UnaryFunction f) {
    auto& local = d(self).local;
    while (!local.empty()) {
      auto job = local.front();
      local.pop_front();
      f(job);
    }
  }

  template <class Coordinator, class UnaryFunction>
  void foreach_central_resumable(Coordinator* self, UnaryFunction f) {
    auto& c = d(self);
    std::unique_lock<std::mutex> guard{c.lock};
    while (!c.queue.empty()) {
      auto job = c.queue.front();
      c.queue.pop_front();
      c.queued.fetch_sub(1, std::memory_order_relaxed);
      f(job);
    }
  }

private:
  /// Another worker sleeps: hand it the newer half of our jobs.
  static void share(worker_data& w, coordinator_data& c) {
    auto half = w.local.size() / 2;
    std::unique_lock<std::mutex> guard{c.lock};
    for (auto i = w.local.end() - static_cast<ptrdiff_t>(half); i != w.local.end(); ++i)
      c.queue.push_back(*i);
    c.queued.fetch_add(half, std::memory_order_relaxed);
    w.local.erase(w.local.end() - static_cast<ptrdiff_t>(half), w.local.end());
    c.cv.notify_all();
  }

  /// CAF's worker loop records the running actor's id for its log around every
  /// resume, under a lock both workers share. With logging compiled out (Debian
  /// builds CAF with CAF_LOG_LEVEL_QUIET) nobody reads it: our threads opt out.
  static void forget_logger() {
#if CAF_LOG_LEVEL == CAF_LOG_LEVEL_QUIET
    caf::logger::set_current_actor_system(nullptr);
#endif
  }
};

} // namespace

void use_fleet_scheduler(caf::actor_system_config& cfg) {
  cfg.load<caf::scheduler::coordinator<fleet_sharing>>();
}

} // namespace vigil
