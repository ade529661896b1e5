#include "drain.hpp"

#include <caf/execution_unit.hpp>
#include <caf/resumable.hpp>

namespace vigil::sim {

namespace {

/// Where an actor that a running actor wakes goes: the coordinator's queue, as with
/// CAF's own worker for the test coordinator.
class queue_worker : public caf::execution_unit {
public:
  explicit queue_worker(caf::scheduler::test_coordinator& sched)
      : caf::execution_unit(&sched.system()), sched_(sched) {}

  void exec_later(caf::resumable* job) override { sched_.jobs.push_back(job); }

private:
  caf::scheduler::test_coordinator& sched_;
};

} // namespace

size_t drain(caf::scheduler::test_coordinator& sched, size_t throughput) {
  queue_worker worker{sched};
  size_t turns = 0;
  while (!sched.jobs.empty()) {
    auto* job = sched.jobs.front();
    sched.jobs.pop_front();
    ++turns;
    switch (job->resume(&worker, throughput)) {
    case caf::resumable::resume_later:
      sched.jobs.push_back(job); // more messages: after the others had their turn
      break;
    case caf::resumable::done:
    case caf::resumable::awaiting_message:
      intrusive_ptr_release(job);
      break;
    case caf::resumable::shutdown_execution_unit:
      break;
    }
  }
  return turns;
}

} // namespace vigil::sim
