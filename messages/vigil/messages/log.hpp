// The `vigil` spdlog logger, which the embedding application can replace or silence.
#pragma once

#include <cstdint>
#include <memory>

#include <spdlog/fwd.h>

namespace vigil {

/// The logger every vigil component writes to: the one registered with spdlog under
/// the name `"vigil"`, created on first use (colour to stderr, level `warn`: the event
/// stream already tells every transition) if the application registered none.
/// Supervisors fetch it once when they start; agents keep it once per thread (a
/// million agents would each hold a handle) and follow `set_log`.
std::shared_ptr<spdlog::logger> log();

/// Replaces the `vigil` logger (pass your own sinks, pattern and level). Actors spawned
/// afterwards (and every agent) use it. To silence vigil:
/// `vigil::log()->set_level(spdlog::level::off)`.
void set_log(std::shared_ptr<spdlog::logger> logger);

/// Counts the replacements by `set_log`. Code that keeps the logger rather than fetch
/// it per line (spdlog's registry takes a lock) fetches it again when this changed.
uint64_t log_generation() noexcept;

} // namespace vigil
