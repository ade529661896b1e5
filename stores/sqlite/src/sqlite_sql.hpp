// The SQL of the statements a SQLite store prepares once and reuses (the schema they
// work on: sqlite_open.cpp).
#pragma once

namespace vigil::detail::sql {

inline constexpr const char* select_agents =
    "SELECT id, type, node, state, version, registered_at, started_at, ended_at, "
    "recovery_at, reason, last_error, token_digest, node_key_digest, restarts, "
    "last_restart_reason, restart_due, restart_attempt, restart_cause FROM agents "
    "ORDER BY registered_at, id";
inline constexpr const char* get_meta = "SELECT value FROM meta WHERE key = ?1";
inline constexpr const char* set_meta = "UPDATE meta SET value = ?2 WHERE key = ?1";
inline constexpr const char* append =
    "INSERT INTO events (seq, at, kind, agent, type, node, from_state, to_state, "
    "reason, error, version, recovery_at, json) VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
// A new life: no restart pending. ?13 NULL keeps the replaced row's last restart
// reason (restart_record.hpp); the subquery reads it before the row is replaced.
inline constexpr const char* register_agent =
    "INSERT OR REPLACE INTO agents (id, type, node, state, version, registered_at, "
    "started_at, ended_at, recovery_at, reason, last_error, token_digest, "
    "node_key_digest, restarts, last_restart_reason, restart_due, restart_attempt, "
    "restart_cause) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, '', ?10, ?11, "
    "?12, COALESCE(?13, (SELECT last_restart_reason FROM agents WHERE id = ?1), ''), "
    "NULL, 0, '')";
// An upsert: a row whose registration was never committed (dropped past the buffer
// bound) is made from the transition.
inline constexpr const char* transition_agent =
    "INSERT INTO agents (id, type, node, state, version, registered_at, started_at, "
    "ended_at, recovery_at, reason, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?11, ?6, "
    "?7, ?8, ?9, ?10) ON CONFLICT(id) DO UPDATE SET type = ?2, node = ?3, state = ?4, "
    "version = ?5, started_at = COALESCE(started_at, ?6), ended_at = ?7, "
    "recovery_at = ?8, reason = ?9, "
    "last_error = CASE WHEN ?10 = '' THEN last_error ELSE ?10 END";
// restart_scheduled (a pending restart) and restart_gave_up (none): rows that exist
// only; a restart of an id whose row is gone has nothing to record.
inline constexpr const char* schedule_restart =
    "UPDATE agents SET restart_due = ?2, restart_attempt = ?3, restart_cause = ?4 "
    "WHERE id = ?1";
inline constexpr const char* drop_restart =
    "UPDATE agents SET restart_due = NULL, restart_attempt = 0, restart_cause = '' "
    "WHERE id = ?1";
inline constexpr const char* purge_agent = "DELETE FROM agents WHERE id = ?1";
inline constexpr const char* prune = "DELETE FROM events WHERE at < ?1";
inline constexpr const char* clear_agents = "DELETE FROM agents";
inline constexpr const char* restore =
    "INSERT INTO agents (id, type, node, state, version, registered_at, started_at, "
    "ended_at, recovery_at, reason, last_error, token_digest, node_key_digest, "
    "restarts, last_restart_reason, restart_due, restart_attempt, restart_cause) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
    "?17, ?18)";

} // namespace vigil::detail::sql
