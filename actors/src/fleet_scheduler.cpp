// The fleet scheduler's policy for CAF's `coordinator` template (see the header).
#include "vigil/actors/fleet_scheduler.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>

#include <caf/actor_system_config.hpp>
#include <caf/detail/set_thread_name.hpp>
#include <caf/execution_unit.hpp>
#include <caf/logger.hpp>
#include <caf/policy/unprofiled.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/coordinator.hpp>

namespace vigil {

/// The policy: see the header. (Not in an unnamed namespace: CAF's `worker` is
/// specialized for it below.)
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
    std::atomic<size_t> idle{0};     ///< Workers out of work: spinning or asleep.
  };

  struct worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator*) {
      // nop
    }
    queue_type local;         ///< Touched by the worker's own thread only.
    bool shared_turn = false; ///< Alternates the shared and the local queue.
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

  /// A job an actor on this worker woke: ours. While another worker is out of work,
  /// it gets half of ours each time 32 have piled up: one turn of the lock for 16 jobs
  /// (a turn per job was a fifth of the time at a million beats a second, when a
  /// pacer's tick wakes 50,000 agents in one go).
  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* job) {
    auto& w = d(self);
    w.local.push_back(job);
    if (w.local.size() >= 32 &&
        d(self->parent()).idle.load(std::memory_order_relaxed) > 0)
      share(w, d(self->parent()));
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
    w.shared_turn = !w.shared_turn;
    if (w.local.empty() ||
        (w.shared_turn && c.queued.load(std::memory_order_relaxed) > 0)) {
      std::unique_lock<std::mutex> guard{c.lock};
      if (!c.queue.empty())
        return pop_shared(c);
      if (w.local.empty()) {
        guard.unlock();
        return wait_for_work(c);
      }
    }
    if (w.local.size() > 1 && c.idle.load(std::memory_order_relaxed) > 0)
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
    // `f` runs without the lock: cleaning a job up may enqueue another one (a bounced
    // request, a message sent from a destroyed actor's state).
    for (;;) {
      queue_type jobs;
      {
        std::unique_lock<std::mutex> guard{c.lock};
        if (c.queue.empty())
          return;
        jobs.swap(c.queue);
        c.queued.store(0, std::memory_order_relaxed);
      }
      for (auto job : jobs)
        f(job);
    }
  }

private:
  static caf::resumable* pop_shared(coordinator_data& c) {
    auto job = c.queue.front();
    c.queue.pop_front();
    c.queued.fetch_sub(1, std::memory_order_relaxed);
    return job;
  }

  /// No work in either queue. Spins for some 20-50 us first: a beating fleet has work
  /// again within microseconds, and a futex sleep with its wake-up costs more (and
  /// `notify_one` is a system call for the worker that hands the work over).
  static caf::resumable* wait_for_work(coordinator_data& c) {
    c.idle.fetch_add(1, std::memory_order_relaxed);
    for (int i = 0; i < 1000 && c.queued.load(std::memory_order_relaxed) == 0; ++i)
      cpu_relax();
    std::unique_lock<std::mutex> guard{c.lock};
    if (c.queue.empty()) {
      c.sleepers.fetch_add(1, std::memory_order_relaxed);
      c.cv.wait(guard, [&] { return !c.queue.empty(); });
      c.sleepers.fetch_sub(1, std::memory_order_relaxed);
    }
    c.idle.fetch_sub(1, std::memory_order_relaxed);
    return pop_shared(c);
  }

  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
  }

  /// Another worker is out of work: hand it the newer half of our jobs.
  static void share(worker_data& w, coordinator_data& c) {
    auto half = w.local.size() / 2;
    std::unique_lock<std::mutex> guard{c.lock};
    for (auto i = w.local.end() - static_cast<ptrdiff_t>(half); i != w.local.end(); ++i)
      c.queue.push_back(*i);
    c.queued.fetch_add(half, std::memory_order_relaxed);
    w.local.erase(w.local.end() - static_cast<ptrdiff_t>(half), w.local.end());
    if (c.sleepers.load(std::memory_order_relaxed) > 0)
      c.cv.notify_all();
  }
};

} // namespace vigil

namespace caf::scheduler {

/// The worker of the fleet scheduler: CAF's `worker` loop without its per-job log
/// bookkeeping. CAF's loop casts each job to an actor (a cross-cast through RTTI) and
/// records its id for the log under a lock both workers share, around every resume;
/// at a million beats a second that was about 12% of the time, and the Debian build
/// of CAF logs nothing (CAF_LOG_LEVEL_QUIET). The interface is what `coordinator`
/// uses.
template <>
class worker<vigil::fleet_sharing> : public execution_unit {
public:
  using policy = vigil::fleet_sharing;
  using coordinator_ptr = coordinator<policy>*;
  using policy_data = policy::worker_data;

  worker(size_t worker_id, coordinator_ptr parent, const policy_data& init,
         size_t throughput)
      : execution_unit(&parent->system()), max_throughput_(throughput), id_(worker_id),
        parent_(parent), data_(init) {
    // nop
  }

  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  void start() {
    thread_ = std::thread{[this] {
      current_ = this;
      // Without a logger on this thread, `scheduled_actor::resume` skips recording the
      // actor's id for the log (two turns of a lock both workers share per job). The
      // Debian build of CAF logs nothing, so nobody would read it.
#if CAF_LOG_LEVEL != CAF_LOG_LEVEL_QUIET
      CAF_SET_LOGGER_SYS(&system());
#endif
      detail::set_thread_name("caf.worker");
      system().thread_started();
      run();
      system().thread_terminates();
    }};
  }

  void external_enqueue(resumable* job) {
    policy_.external_enqueue(this, job);
  }

  /// From this worker's own thread, as CAF's contract says; from any other (a
  /// response promise delivered with a stale context, say) to the shared queue.
  void exec_later(resumable* job) override {
    if (current_ == this)
      policy_.internal_enqueue(this, job);
    else
      policy_.external_enqueue(this, job);
  }

  coordinator_ptr parent() {
    return parent_;
  }

  size_t id() const {
    return id_;
  }

  std::thread& get_thread() {
    return thread_;
  }

  policy_data& data() {
    return data_;
  }

  size_t max_throughput() {
    return max_throughput_;
  }

private:
  void run() {
    for (;;) {
      auto job = policy_.dequeue(this);
      auto result = job->resume(this, max_throughput_);
#if CAF_LOG_LEVEL == CAF_LOG_LEVEL_QUIET
      // A spawn from inside an actor sets the spawning thread's logger: drop it again.
      if (logger::current_logger() != nullptr)
        logger::set_current_actor_system(nullptr);
#endif
      switch (result) {
      case resumable::resume_later:
        policy_.resume_job_later(this, job); // it keeps its reference
        break;
      case resumable::done:
      case resumable::awaiting_message:
        intrusive_ptr_release(job);
        break;
      case resumable::shutdown_execution_unit:
        return;
      }
    }
  }

  static inline thread_local worker* current_ = nullptr; ///< The worker of this thread.
  size_t max_throughput_;
  std::thread thread_;
  size_t id_;
  coordinator_ptr parent_;
  policy_data data_;
  policy policy_;
};

} // namespace caf::scheduler

namespace vigil {

void use_fleet_scheduler(caf::actor_system_config& cfg) {
  // A worker's own jobs wait while it runs one: with CAF's default (no limit), an
  // actor that never empties its mailbox would hold them forever.
  if (!caf::get_if<size_t>(&cfg, "scheduler.max-throughput"))
    cfg.set("scheduler.max-throughput", default_max_throughput);
  cfg.load<caf::scheduler::coordinator<fleet_sharing>>();
}

} // namespace vigil
