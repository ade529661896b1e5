// Names of the small enums that travel in messages and JSON (the tables' shape:
// detail/words.hpp).
#include "vigil/messages/detail/words.hpp"

#include "vigil/messages/child_evidence.hpp"
#include "vigil/messages/event_kind.hpp"
#include "vigil/messages/fire_reason.hpp"
#include "vigil/messages/quota_reason.hpp"
#include "vigil/messages/slot_kind.hpp"

namespace vigil {

namespace {

using detail::word;

constexpr word<slot_kind> slot_kind_words[] = {
    {slot_kind::work, "work"},
    {slot_kind::on_call, "on_call"},
};

constexpr word<slot_outcome> slot_outcome_words[] = {
    {slot_outcome::started, "started"},
    {slot_outcome::queued, "queued"},
};

constexpr word<quota_reason> quota_reason_words[] = {
    {quota_reason::rate_limit, "rate_limit"},
    {quota_reason::billing, "billing"},
};

constexpr word<event_kind> event_kind_words[] = {
    {event_kind::transition, "transition"},
    {event_kind::heartbeat_missed, "heartbeat_missed"},
    {event_kind::watchdog, "watchdog"},
    {event_kind::entered, "entered"},
    {event_kind::progress, "progress"},
    {event_kind::suspected_frozen, "suspected_frozen"},
    {event_kind::exited, "exited"},
    {event_kind::hard_stop, "hard_stop"},
    {event_kind::registered, "registered"},
    {event_kind::purged, "purged"},
    {event_kind::restart_scheduled, "restart_scheduled"},
    {event_kind::restart_gave_up, "restart_gave_up"},
};

constexpr word<child_evidence> child_evidence_words[] = {
    {child_evidence::fresh_progress, "fresh_progress"},
    {child_evidence::fresh_heartbeat_only, "fresh_heartbeat_only"},
    {child_evidence::stale_label_only, "stale_label_only"},
    {child_evidence::os_descendant_only_stale_progress,
     "os_descendant_only_stale_progress"},
};

constexpr word<fire_reason> fire_reason_words[] = {
    {fire_reason::session_ceiling_exceeded, "session_ceiling_exceeded"},
    {fire_reason::no_output_deadline, "no_output_deadline"},
    {fire_reason::children_persist_too_long, "children_persist_too_long"},
};

static_assert(detail::in_enum_order(slot_kind_words));
static_assert(detail::in_enum_order(fire_reason_words));
static_assert(detail::in_enum_order(slot_outcome_words));
static_assert(detail::in_enum_order(quota_reason_words));
static_assert(detail::in_enum_order(event_kind_words));
static_assert(detail::in_enum_order(child_evidence_words));

} // namespace

std::string to_string(child_evidence x) {
  return detail::word_of(child_evidence_words, x, "child_evidence");
}

bool from_string(std::string_view text, child_evidence& x) {
  return detail::value_of(child_evidence_words, text, x);
}

std::string to_string(slot_kind x) {
  return detail::word_of(slot_kind_words, x, "slot_kind");
}

bool from_string(std::string_view text, slot_kind& x) {
  return detail::value_of(slot_kind_words, text, x);
}

std::string to_string(slot_outcome x) {
  return detail::word_of(slot_outcome_words, x, "slot_outcome");
}

std::string to_string(quota_reason x) {
  return detail::word_of(quota_reason_words, x, "quota_reason");
}

bool from_string(std::string_view text, quota_reason& x) {
  return detail::value_of(quota_reason_words, text, x);
}

std::string to_string(event_kind x) {
  return detail::word_of(event_kind_words, x, "event_kind");
}

bool from_string(std::string_view text, event_kind& x) {
  return detail::value_of(event_kind_words, text, x);
}

std::string to_string(fire_reason x) {
  return detail::word_of(fire_reason_words, x, "fire_reason");
}

bool from_string(std::string_view text, fire_reason& x) {
  return detail::value_of(fire_reason_words, text, x);
}

std::string fire_reason_names() {
  std::string out;
  auto n = std::size(fire_reason_words);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0)
      out += i + 1 < n ? ", " : " or ";
    out += fire_reason_words[i].text;
  }
  return out;
}

} // namespace vigil
