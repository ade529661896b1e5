#include "vigil/messages/inbound_checks.hpp"

#include "vigil/messages/errc.hpp"

namespace vigil {

namespace {

caf::error bad(std::string field, std::string expected, std::string found) {
  return make_error(errc::bad_input, std::move(field), std::move(expected),
                    std::move(found));
}

std::string bytes(size_t n) {
  return std::to_string(n) + " bytes";
}

bool in_range(agent_state x) {
  return static_cast<int>(x) < agent_state_count;
}

caf::error check_state(const char* field, agent_state x) {
  if (in_range(x))
    return caf::none;
  return bad(field,
             "a lifecycle state (0.." + std::to_string(agent_state_count - 1) + ")",
             std::to_string(static_cast<int>(x)));
}

/// The offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629:
/// no overlong forms, no surrogates, nothing above U+10FFFF), or npos. Peer text goes
/// into event JSON, and a JSON reader refuses the whole line for one bad byte.
size_t invalid_utf8_at(const std::string& x) {
  auto n = x.size();
  for (size_t i = 0; i < n;) {
    auto c = static_cast<unsigned char>(x[i]);
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; // the second byte's range
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      lo = c == 0xe0 ? 0xa0 : 0x80; // no overlong forms
      hi = c == 0xed ? 0x9f : 0xbf; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      lo = c == 0xf0 ? 0x90 : 0x80;
      hi = c == 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n)
      return i;
    auto second = static_cast<unsigned char>(x[i + 1]);
    if (second < lo || second > hi)
      return i;
    for (size_t k = 2; k < len; ++k)
      if ((static_cast<unsigned char>(x[i + k]) & 0xc0) != 0x80)
        return i;
    i += len;
  }
  return std::string::npos;
}

caf::error check_utf8(const char* field, const std::string& x) {
  auto at = invalid_utf8_at(x);
  if (at == std::string::npos)
    return caf::none;
  return bad(field, "UTF-8 text",
             "byte " +
                 std::to_string(static_cast<int>(static_cast<unsigned char>(x[at]))) +
                 " at offset " + std::to_string(at));
}

caf::error check_text(const char* field, const std::string& x) {
  if (x.size() > max_text_bytes)
    return bad(field, "at most " + bytes(max_text_bytes), bytes(x.size()));
  return check_utf8(field, x);
}

caf::error check_span(const char* field, duration x) {
  if (x >= duration::zero() && x <= max_peer_span)
    return caf::none;
  return bad(field, "a span between 0 and " + format_duration(max_peer_span),
             std::to_string(x.count()) + " ns");
}

caf::error check_credential(const char* field, const credential& x) {
  if (x.secret.size() <= max_credential_bytes)
    return caf::none;
  return bad(field, "at most " + bytes(max_credential_bytes), bytes(x.secret.size()));
}

} // namespace

caf::error check_name(const char* field, const std::string& x) {
  if (x.empty())
    return bad(field, "a non-empty name", "\"\"");
  if (x.size() > max_name_bytes)
    return bad(field, "at most " + bytes(max_name_bytes), bytes(x.size()));
  // No control characters: names end up in log lines and on terminals.
  for (unsigned char c : x)
    if (c < 0x20 || c == 0x7f)
      return bad(field, "a name without control characters",
                 "byte " + std::to_string(static_cast<int>(c)));
  return check_utf8(field, x);
}

caf::error check_inbound(const registration& x) {
  for (auto [field, value] :
       {std::pair{"registration id", &x.id}, std::pair{"registration type", &x.type},
        std::pair{"registration node", &x.node}})
    if (auto err = check_name(field, *value))
      return err;
  if (auto err = check_state("registration state", x.state))
    return err;
  return check_credential("registration node_key", x.node_key);
}

caf::error check_inbound(const spawner_offer& x) {
  if (auto err = check_name("spawner_offer node", x.node))
    return err;
  if (x.types.empty() || x.types.size() > max_offer_types)
    return bad("spawner_offer types",
               "1 to " + std::to_string(max_offer_types) + " types",
               std::to_string(x.types.size()));
  for (auto& type : x.types)
    if (auto err = check_name("spawner_offer type", type))
      return err;
  if (!x.spawner)
    return bad("spawner_offer spawner", "a spawner actor", "none");
  return check_credential("spawner_offer node_key", x.node_key);
}

caf::error check_inbound(const spawn_request& x) {
  if (auto err = check_name("spawn_request id", x.id))
    return err;
  if (auto err = check_name("spawn_request type", x.type))
    return err;
  return check_text("spawn_request reason", x.reason);
}

caf::error check_inbound(const agent_query& x) {
  if (x.state && !in_range(*x.state))
    return bad("agent_query state", "a state",
               "value " + std::to_string(static_cast<int>(*x.state)));
  if (!x.type.empty())
    if (auto err = check_name("agent_query type", x.type))
      return err;
  if (!x.node.empty())
    if (auto err = check_name("agent_query node", x.node))
      return err;
  if (!x.id_contains.empty())
    if (auto err = check_name("agent_query id_contains", x.id_contains))
      return err;
  if (x.page_size == 0 || x.page_size > max_page_size)
    return bad("agent_query page_size", "1 to " + std::to_string(max_page_size),
               std::to_string(x.page_size));
  return {};
}

caf::error check_inbound(const heartbeat& x) {
  if (auto err = check_name("heartbeat id", x.id))
    return err;
  return check_state("heartbeat state", x.state);
}

caf::error check_inbound(const beat_batch& x) {
  if (x.beats.size() > max_batch_beats)
    return bad("beat_batch beats", "at most " + std::to_string(max_batch_beats),
               std::to_string(x.beats.size()));
  for (auto& b : x.beats)
    if (auto err = check_state("beat_batch state", b.state))
      return err;
  return check_span("beat_batch lateness", x.lateness);
}

caf::error check_inbound(const transition_report& x) {
  if (auto err = check_name("transition_report id", x.id))
    return err;
  if (auto err = check_state("transition_report from", x.from))
    return err;
  if (auto err = check_state("transition_report to", x.to))
    return err;
  if (auto err = check_text("transition_report reason", x.reason))
    return err;
  if (auto err = check_text("transition_report error", x.error))
    return err;
  if (x.recovery_in)
    return check_span("transition_report recovery_in", *x.recovery_in);
  return caf::none;
}

caf::error check_inbound(const activity_report& x) {
  if (auto err = check_name("activity_report id", x.id))
    return err;
  return check_span("activity_report since", x.since);
}

caf::error check_inbound(const child_report& x) {
  if (auto err = check_name("child_report id", x.id))
    return err;
  if (static_cast<int>(x.evidence) >
      static_cast<int>(child_evidence::os_descendant_only_stale_progress))
    return bad("child_report evidence", "a child evidence (0..3)",
               std::to_string(static_cast<int>(x.evidence)));
  if (x.oldest_child_age)
    return check_span("child_report oldest_child_age", *x.oldest_child_age);
  return caf::none;
}

} // namespace vigil
