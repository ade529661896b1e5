// Virtual-time fixture for supervisor tests: puppet agents that send exactly what a
// test tells them, and collector subscribers that record what they receive.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "support/virtual_time.hpp"
#include "vigil/supervisors/supervisor.hpp"

namespace vigil::test {

struct puppet_state {
  static inline const char* name = "vigil.test.puppet";
  std::vector<caf::error> replies;    ///< One per request; empty error = accepted.
  std::vector<uint64_t> keys;         ///< From accepted registrations, in order.
  std::vector<registration_ack> acks; ///< The accepted registrations' answers.
};

/// Relays `registration`, `transition_report` (as requests) and `heartbeat`,
/// `beat_batch` (as sends) to the supervisor, so the supervisor sees the puppet as
/// their sender. The fixture's helpers fill in the proofs (token, beat secret) the
/// supervisor handed out for the id; a test that sends its own sends what it sets.
/// `fail_atom, text` quits with that error; `complete_atom` quits normally.
caf::actor spawn_puppet(caf::actor_system& sys, supervisor_actor sup);

struct collector_state {
  static inline const char* name = "vigil.test.collector";
  bool auto_ack = true;
  std::vector<snapshot> snapshots; ///< The subscription reply, then any resyncs.
  std::vector<event> events;
  caf::error refused;
};

/// Subscribes with `req` and records everything. Without auto-ack it stops
/// acknowledging ("never reads") until it gets `ack_atom`.
caf::actor spawn_collector(caf::actor_system& sys, supervisor_actor sup,
                           subscription_request req, bool auto_ack = true);

class supervisor_fixture : public virtual_time {
public:
  /// Spawns the supervisor with `options` (its store writer scheduled in virtual time).
  void start(supervisor_settings cfg);

  /// How supervisors run under the test scheduler: a detached store writer would run
  /// on a real thread, outside virtual time.
  /// Virtual time: the store writer scheduled like any actor, stored times the
  /// clock's own.
  supervisor_options options{false, store_time_base::clock_epoch, {}};

  caf::actor puppet() {
    auto p = track(spawn_puppet(sys, sup));
    sched.run();
    return p;
  }

  caf::actor collector(subscription_request req = {}, bool auto_ack = true) {
    auto c = track(spawn_collector(sys, sup, std::move(req), auto_ack));
    sched.run();
    return c;
  }

  /// The puppet's last request result.
  caf::error last_reply(const caf::actor& p) {
    auto& xs = state_of<puppet_state>(p).replies;
    return xs.empty() ? caf::make_error(caf::sec::bad_function_call) : xs.back();
  }

  void reg(const caf::actor& p, const std::string& id,
           const std::string& type = "worker",
           agent_state state = agent_state::spawning);
  /// Registers `id` again with the token of its last registration (a reconnect, or
  /// a return to a restarted supervisor).
  void reg_again(const caf::actor& p, const std::string& id, agent_state state);
  void report(const caf::actor& p, const std::string& id, agent_state from,
              agent_state to, caf::optional<duration> recovery_in = caf::none);
  void beat(const caf::actor& p, const std::string& id, agent_state state);

  /// The key of the puppet's last accepted registration.
  uint64_t key_of(const caf::actor& p) {
    auto& xs = state_of<puppet_state>(p).keys;
    EXPECT_FALSE(xs.empty());
    return xs.empty() ? 0 : xs.back();
  }

  /// Has puppet `p` send a batch of one beat per key, in `state`, each with the beat
  /// secret the key was given (any puppet may send it: a pacer), saying the node's
  /// beats run `lateness` late.
  void batch(const caf::actor& p, const std::vector<uint64_t>& keys,
             agent_state state = agent_state::idle,
             duration lateness = duration::zero());

  /// A heartbeat of `id` with the beat secret its last registration got.
  heartbeat beat_of(const std::string& id, agent_state state = agent_state::idle);

  /// The answer to the last accepted registration of `id` (any puppet).
  registration_ack ack_of(const std::string& id) { return acks_[id]; }

  /// Registers a puppet agent `id` and reports it idle.
  caf::actor idle_agent(const std::string& id, const std::string& type = "worker");

  agent_status status(const std::string& id);
  caf::error status_error(const std::string& id);
  std::vector<event> events_of(const caf::actor& c) {
    return state_of<collector_state>(c).events;
  }
  supervisor_stats stats();
  fleet_metrics metrics();

  supervisor_settings settings;
  supervisor_actor sup;

  /// Has `p` send `x` as it is, and learns the answer's proofs for `x.id`.
  void send_registration(const caf::actor& p, registration x);

protected:
  std::map<std::string, registration_ack> acks_; ///< id -> its last answer (`reg`)
  std::map<uint64_t, uint64_t> secrets_;         ///< key -> beat secret
};

} // namespace vigil::test
