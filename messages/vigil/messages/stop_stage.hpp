// In which order a process's fleet stops (`fleet_scope`): each kind of handle names its
// stage where it is declared, so that the scope needs none of their headers.
#pragma once

#include <cstdint>

namespace vigil {

/// The stages of an orderly stop, in the order they run.
enum class stop_stage : uint8_t {
  supervisors, ///< Asked to stop: they end their own agents and commit every event.
  agents,      ///< Agent actors not ended by a supervisor of this process.
  links,       ///< Pacers and uplinks: only once no agent needs them.
  others,      ///< Workers, subscribers and anything else: last.
};

/// The stage of a handle type: `others` unless its header says otherwise.
template <class Handle>
struct stop_stage_of {
  static constexpr stop_stage value = stop_stage::others;
};

} // namespace vigil
