// A stand-in supervisor that records what agents send it (tests of actors/).
#pragma once

#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "vigil/messages/agent_facing_supervisor.hpp"

namespace vigil::test {

struct recording_supervisor_state {
  static inline const char* name = "vigil.test.recording_supervisor";
  std::vector<registration> registrations;
  std::vector<std::pair<time_point, heartbeat>> beats;
  std::vector<std::pair<time_point, paced_beat>> paced; ///< Out of `beat_batch`es.
  std::vector<std::pair<time_point, size_t>> batches;   ///< Arrival and size of each.
  std::vector<duration> lateness; ///< What each batch said (`beat_batch::lateness`).
  std::vector<transition_report> reports;
  std::vector<std::pair<time_point, activity_report>> activity;
  std::vector<child_report> children;
  caf::error refuse_registrations; ///< When set, every registration gets it.
  caf::error refuse_reports;       ///< When set, every report gets it.
  bool hold_registrations = false; ///< Never answer: agents stay spawning.
  /// The beat interval its answers name (zero: none, the agent keeps its own). Tokens
  /// are {1, key}, beat secrets 1000 + key.
  duration interval{0};
  /// Spawners offered to it, in order; when `refuse_offers` is set, each gets it.
  std::vector<spawner_offer> offers;
  caf::error refuse_offers;
  // Accepted registrations are answered with key = their position, counting from 1.
};

/// Spawns the recorder; read it with `state_of<recording_supervisor_state>(h)`.
agent_facing_supervisor spawn_recording_supervisor(caf::actor_system& sys);

} // namespace vigil::test
