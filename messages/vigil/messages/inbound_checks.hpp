// What a supervisor accepts from a peer (DESIGN §11): every value that crosses a
// process boundary is checked against these limits before it is stored or broadcast.
// CAF 0.17 deserialises enums with no range check, and strings and vectors of any
// length up to its own payload limit.
#pragma once

#include <cstddef>
#include <string>

#include <caf/error.hpp>

#include "vigil/messages/agent_messages.hpp"
#include "vigil/messages/agent_query.hpp"
#include "vigil/messages/spawner_messages.hpp"

namespace vigil {

/// Longest agent id, type or node name, in bytes (none may be empty).
constexpr size_t max_name_bytes = 256;
/// Longest reason or error text of a report, in bytes.
constexpr size_t max_text_bytes = 4096;
/// Most beats in one `beat_batch` (a pacer's `max_batch` may not exceed it).
constexpr size_t max_batch_beats = 16384;
/// Longest credential (commander credential, node key), in bytes.
constexpr size_t max_credential_bytes = 1024;
/// Shortest credential a person may configure, in bytes.
constexpr size_t min_credential_bytes = 16;
/// Most agent types one `spawner_offer` may list.
constexpr size_t max_offer_types = 64;
/// Longest span a peer may state (`since`, `recovery_in`, ages): a year.
constexpr duration max_peer_span = std::chrono::hours(24 * 366);

/// Each returns `errc::bad_input` naming the field, what it allows and what came, or
/// nothing when every value is within range.
caf::error check_inbound(const registration& x);
caf::error check_inbound(const heartbeat& x);
caf::error check_inbound(const beat_batch& x);
caf::error check_inbound(const transition_report& x);
caf::error check_inbound(const activity_report& x);
caf::error check_inbound(const child_report& x);
caf::error check_inbound(const spawner_offer& x);
caf::error check_inbound(const spawn_request& x);
caf::error check_inbound(const agent_query& x);

/// An agent id (or any name) as a field: non-empty, at most `max_name_bytes`, no
/// control characters, well-formed UTF-8 (free text, such as a reason, must be UTF-8
/// too: it all ends up in event JSON).
caf::error check_name(const char* field, const std::string& x);

} // namespace vigil
