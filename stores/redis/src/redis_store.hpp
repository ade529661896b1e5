// The shared store: Redis through hiredis (DESIGN §10). Key layout (PREFIX = the
// `prefix` setting, "vigil" by default):
//   PREFIX:agent:ID   hash: type node state version registered_at started_at ended_at
//                     recovery_at reason last_error token_digest node_key_digest
//                     (times: ns since the Unix epoch)
//   PREFIX:agents     set of the ids that have a hash
//   PREFIX:events     stream, entry id SEQ-1, field "json": the event line
//   PREFIX:events     channel: every event line, once, as it is committed
//   PREFIX:seq        the newest committed seq (kept when the stream is trimmed)
//   PREFIX:epoch      the epoch of the last start (INCR by each start)
#pragma once

#include <chrono>
#include <memory>

#include <caf/expected.hpp>

#include "vigil/stores/fleet_store.hpp"

namespace vigil::detail {

/// Connects to the Redis `cfg.url` names; an error when it cannot be reached. It waits
/// `cfg.reply_timeout` to connect and for each answer, then drops the connection
/// (hiredis cannot use it again after a timeout) and reports a failure.
caf::expected<std::shared_ptr<fleet_store>> open_redis_store(const store_settings& cfg);

} // namespace vigil::detail
