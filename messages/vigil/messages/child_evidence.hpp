// How sure we are that a child process an agent waits on is still doing something.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

/// The liveness evidence of the children an agent waits on (DESIGN §6). All but
/// `fresh_progress` mean alive-but-not-progressing: the shorter
/// `max_waiting_on_child_no_progress` ceiling applies.
enum class child_evidence : uint8_t {
  fresh_progress,                    ///< The child makes visible progress.
  fresh_heartbeat_only,              ///< It beats, but shows no progress.
  stale_label_only,                  ///< Only a stale status label says it runs.
  os_descendant_only_stale_progress, ///< Only the OS process tree shows it.
};

/// @relates child_evidence
std::string to_string(child_evidence x);

/// @relates child_evidence
bool from_string(std::string_view text, child_evidence& x);

/// True for every kind of evidence but `fresh_progress`.
inline bool without_progress(child_evidence x) noexcept {
  return x != child_evidence::fresh_progress;
}

} // namespace vigil
