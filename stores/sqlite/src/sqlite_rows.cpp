// The SQLite store's agents table: reading, restoring and changing rows.
#include "sqlite_rows.hpp"

#include <limits>

#include "sqlite_sql.hpp"
#include "vigil/stores/detail/restart_record.hpp"

namespace vigil::detail {

namespace {

caf::optional<int64_t> count_of(const caf::optional<duration>& x) {
  if (!x)
    return caf::none;
  return x->count();
}

caf::optional<duration> opt_ns(const SQLite::Statement& s, int col) {
  if (s.isColumnNull(col))
    return caf::none;
  return duration{s.getColumn(col).getInt64()};
}

std::string text_of(const SQLite::Statement& s, int col) {
  return s.getColumn(col).getText();
}

/// A column that must hold a count from 0 to 2^32 - 1.
bool count32(const SQLite::Statement& s, int col, const std::string& id,
             const char* name, uint32_t& x, std::string& why) {
  auto n = s.getColumn(col).getInt64();
  if (n < 0 || n > std::numeric_limits<uint32_t>::max()) {
    why = "agent " + id + " has " + name + " " + std::to_string(n) +
          ", expected an integer from 0 to 4294967295";
    return false;
  }
  x = static_cast<uint32_t>(n);
  return true;
}

/// Parameters 1 to 5 of a registration or transition: which life, in which state.
void bind_life(SQLite::Statement& s, const event& e) {
  s.bind(1, e.agent);
  s.bind(2, e.type);
  s.bind(3, e.node);
  s.bind(4, to_string(e.to));
  s.bind(5, static_cast<int64_t>(e.version));
}

} // namespace

sqlite_rows::sqlite_rows(SQLite::Database& db)
    : select_(db, sql::select_agents), register_(db, sql::register_agent),
      transition_(db, sql::transition_agent), schedule_(db, sql::schedule_restart),
      drop_restart_(db, sql::drop_restart), purge_(db, sql::purge_agent),
      clear_(db, sql::clear_agents), restore_(db, sql::restore) {}

bool sqlite_rows::load(std::vector<stored_agent>& out, std::string& why) {
  reading r{select_};
  auto& s = select_;
  while (s.executeStep()) {
    stored_agent a;
    a.id = text_of(s, 0);
    a.type = text_of(s, 1);
    a.node = text_of(s, 2);
    if (!from_string(text_of(s, 3), a.state)) {
      why = "agent " + a.id + " has an unknown state \"" + text_of(s, 3) + "\"";
      return false;
    }
    a.version = static_cast<uint64_t>(s.getColumn(4).getInt64());
    a.registered_at = duration{s.getColumn(5).getInt64()};
    a.started_at = opt_ns(s, 6);
    a.ended_at = opt_ns(s, 7);
    a.recovery_at = opt_ns(s, 8);
    a.reason = text_of(s, 9);
    a.last_error = text_of(s, 10);
    if (!from_hex(text_of(s, 11), a.token_digest) ||
        !from_hex(text_of(s, 12), a.node_key_digest)) {
      why = "agent " + a.id + " has a malformed token or node key digest";
      return false;
    }
    if (!count32(s, 13, a.id, "restarts", a.restarts, why) ||
        !count32(s, 16, a.id, "restart_attempt", a.restart_attempt, why))
      return false;
    a.last_restart_reason = text_of(s, 14);
    a.restart_due = opt_ns(s, 15);
    a.restart_cause = text_of(s, 17);
    out.push_back(std::move(a));
  }
  return true;
}

void sqlite_rows::clear() {
  fresh(clear_).exec();
}

void sqlite_rows::restore(const stored_agent& a) {
  auto& s = fresh(restore_);
  s.bind(1, a.id);
  s.bind(2, a.type);
  s.bind(3, a.node);
  s.bind(4, to_string(a.state));
  s.bind(5, static_cast<int64_t>(a.version));
  s.bind(6, static_cast<int64_t>(a.registered_at.count()));
  bind(s, 7, count_of(a.started_at));
  bind(s, 8, count_of(a.ended_at));
  bind(s, 9, count_of(a.recovery_at));
  s.bind(10, a.reason);
  s.bind(11, a.last_error);
  s.bind(12, to_hex(a.token_digest));
  s.bind(13, to_hex(a.node_key_digest));
  s.bind(14, static_cast<int64_t>(a.restarts));
  s.bind(15, a.last_restart_reason);
  bind(s, 16, count_of(a.restart_due));
  s.bind(17, static_cast<int64_t>(a.restart_attempt));
  s.bind(18, a.restart_cause);
  s.exec();
}

void sqlite_rows::apply(const event& e, time_point origin) {
  auto at = (e.at - origin).count();
  auto opt = [&](const caf::optional<time_point>& t) -> caf::optional<int64_t> {
    if (!t)
      return caf::none;
    return (*t - origin).count();
  };
  // NULL unless running (a flag and a value, not an optional: g++ 12 at -O2 takes the
  // optional's storage for uninitialised, a false positive under -Werror).
  bool running = is_running(e.to);
  auto bind_running = [&](SQLite::Statement& s, int i) {
    if (running)
      s.bind(i, at);
    else
      s.bind(i);
  };
  switch (e.kind) {
  case event_kind::registered: {
    auto& s = fresh(register_);
    bind_life(s, e);
    s.bind(6, at);
    bind_running(s, 7);
    bind(s, 8, opt(e.recovery_at));
    s.bind(9, e.reason);
    s.bind(10, to_hex(e.token_digest));
    s.bind(11, to_hex(e.node_key_digest));
    s.bind(12, static_cast<int64_t>(e.restarts));
    if (auto reason = last_restart_reason_of(e))
      s.bind(13, *reason);
    else
      s.bind(13); // NULL: the replaced row's
    s.exec();
    return;
  }
  case event_kind::transition: {
    auto& s = fresh(transition_);
    bind_life(s, e);
    bind_running(s, 6);
    bind(s, 7, is_terminal(e.to) ? caf::optional<int64_t>{at} : caf::none);
    bind(s, 8, opt(e.recovery_at));
    s.bind(9, e.reason);
    s.bind(10, e.error);
    s.bind(11, at);
    s.exec();
    return;
  }
  case event_kind::restart_scheduled: {
    auto& s = fresh(schedule_);
    s.bind(1, e.agent);
    bind(s, 2, opt(e.due));
    s.bind(3, static_cast<int64_t>(e.attempt));
    s.bind(4, e.details);
    s.exec();
    return;
  }
  case event_kind::restart_gave_up: {
    auto& s = fresh(drop_restart_);
    s.bind(1, e.agent);
    s.exec();
    return;
  }
  case event_kind::purged: {
    auto& s = fresh(purge_);
    s.bind(1, e.agent);
    s.exec();
    return;
  }
  default: // watchdog notes and missed beats: in the stream, not in the row
    return;
  }
}

} // namespace vigil::detail
