// Names of the small enums that travel in messages and JSON.
#include "vigil/messages/child_evidence.hpp"
#include "vigil/messages/event_kind.hpp"
#include "vigil/messages/quota_reason.hpp"
#include "vigil/messages/slot_kind.hpp"

namespace vigil {

namespace {

template <class Enum, size_t N>
bool parse(std::string_view text, Enum& x, const char* const (&names)[N]) {
  for (size_t i = 0; i < N; ++i) {
    if (text == names[i]) {
      x = static_cast<Enum>(i);
      return true;
    }
  }
  return false;
}

template <class Enum, size_t N>
std::string name(Enum x, const char* const (&names)[N]) {
  auto i = static_cast<size_t>(x);
  return i < N ? names[i] : "?(" + std::to_string(i) + ")";
}

constexpr const char* slot_kind_names[] = {"work", "on_call"};
constexpr const char* slot_outcome_names[] = {"started", "queued"};
constexpr const char* quota_reason_names[] = {"rate_limit", "billing"};
constexpr const char* event_kind_names[] = {
    "transition",       "heartbeat_missed", "watchdog",  "entered",    "progress",
    "suspected_frozen", "exited",           "hard_stop", "registered", "purged",
};

constexpr const char* child_evidence_names[] = {
    "fresh_progress",
    "fresh_heartbeat_only",
    "stale_label_only",
    "os_descendant_only_stale_progress",
};

} // namespace

std::string to_string(child_evidence x) {
  return name(x, child_evidence_names);
}

bool from_string(std::string_view text, child_evidence& x) {
  return parse(text, x, child_evidence_names);
}

std::string to_string(slot_kind x) {
  return name(x, slot_kind_names);
}

bool from_string(std::string_view text, slot_kind& x) {
  return parse(text, x, slot_kind_names);
}

std::string to_string(slot_outcome x) {
  return name(x, slot_outcome_names);
}

std::string to_string(quota_reason x) {
  return name(x, quota_reason_names);
}

bool from_string(std::string_view text, quota_reason& x) {
  return parse(text, x, quota_reason_names);
}

std::string to_string(event_kind x) {
  return name(x, event_kind_names);
}

bool from_string(std::string_view text, event_kind& x) {
  return parse(text, x, event_kind_names);
}

} // namespace vigil
