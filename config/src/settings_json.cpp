// The settings loader (DESIGN §8): one JSON shape, every problem named by its pointer.

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "vigil/config/json_read.hpp"
#include "vigil/config/settings.hpp"
#include "vigil/messages/detail/words.hpp"

namespace vigil {

namespace json = boost::json;
using namespace json_read;

namespace {

void read_heartbeat(const json::value& v, const std::string& ptr,
                    heartbeat_settings& x) {
  auto& obj = object(v, ptr);
  only_keys(obj, ptr,
            {"interval", "timeout", "check_interval", "max_missed", "lag_grace",
             "lateness_cap"});
  if (auto p = obj.if_contains("interval"))
    x.interval = duration_of(*p, member(ptr, "interval"));
  if (auto p = obj.if_contains("timeout"))
    x.timeout = duration_of(*p, member(ptr, "timeout"));
  if (auto p = obj.if_contains("check_interval"))
    x.check_interval = duration_of(*p, member(ptr, "check_interval"));
  if (auto p = obj.if_contains("max_missed"))
    x.max_missed = static_cast<int>(integer(*p, member(ptr, "max_missed"), 1, 1000000));
  if (auto p = obj.if_contains("lag_grace"))
    x.lag_grace = duration_of(*p, member(ptr, "lag_grace"), false);
  if (auto p = obj.if_contains("lateness_cap"))
    x.lateness_cap = duration_of(*p, member(ptr, "lateness_cap"), false);
  if (x.interval < std::chrono::milliseconds(1))
    fail(config_errc::bad_value, member(ptr, "interval"), "at least 1ms",
         "\"" + format_duration(x.interval) + "\"");
  if (x.timeout <= x.interval) // every agent would miss beats all the time
    fail(config_errc::bad_value,
         member(ptr, obj.contains("timeout") ? "timeout" : "interval"),
         "a timeout longer than the interval",
         "interval " + format_duration(x.interval) + ", timeout " +
             format_duration(x.timeout));
}

void read_watchdog(const json::value& v, const std::string& ptr, watchdog_settings& x) {
  auto& obj = object(v, ptr);
  only_keys(obj, ptr,
            {"idle_timeout", "max_session", "max_waiting_on_child",
             "max_waiting_on_child_no_progress", "suspect_waiting_on_child",
             "drain_window", "status_interval"});
  struct field {
    const char* key;
    std::optional<duration>& value;
    bool positive;
  };
  field fields[] = {
      {"idle_timeout", x.idle_timeout, true},
      {"max_session", x.max_session, true},
      {"max_waiting_on_child", x.max_waiting_on_child, true},
      {"max_waiting_on_child_no_progress", x.max_waiting_on_child_no_progress, true},
      {"suspect_waiting_on_child", x.suspect_waiting_on_child, false},
      {"drain_window", x.drain_window, false},
      {"status_interval", x.status_interval, true},
  };
  for (auto& f : fields)
    if (auto p = obj.if_contains(f.key))
      f.value = optional_duration(*p, member(ptr, f.key), f.positive);
}

void read_store(const json::value& v, const std::string& ptr, store_settings& x) {
  auto& obj = object(v, ptr);
  only_keys(obj, ptr,
            {"kind", "path", "url", "prefix", "batch_size", "batch_interval", "buffer",
             "stream_maxlen", "events_retention", "reply_timeout"});
  if (auto p = obj.if_contains("kind")) {
    auto kind = string(*p, member(ptr, "kind"));
    if (kind == "none")
      x.kind = store_kind::none;
    else if (kind == "sqlite")
      x.kind = store_kind::sqlite;
    else if (kind == "redis")
      x.kind = store_kind::redis;
    else
      fail(config_errc::bad_value, member(ptr, "kind"), "one of none, sqlite, redis",
           *p);
  }
  if (auto p = obj.if_contains("path"))
    x.path = string(*p, member(ptr, "path"));
  if (auto p = obj.if_contains("url")) {
    x.url = string(*p, member(ptr, "url"));
    std::string why;
    if (!check_redis_url(x.url, why))
      fail(config_errc::bad_value, member(ptr, "url"),
           "a URL such as \"redis://127.0.0.1:6379/0\" (" + why + ")", *p);
  }
  if (auto p = obj.if_contains("prefix")) {
    x.prefix = string(*p, member(ptr, "prefix"));
    if (x.prefix.empty())
      fail(config_errc::bad_value, member(ptr, "prefix"), "a non-empty key prefix", *p);
  }
  if (auto p = obj.if_contains("batch_size"))
    x.batch_size =
        static_cast<size_t>(integer(*p, member(ptr, "batch_size"), 1, 1 << 20));
  if (auto p = obj.if_contains("batch_interval"))
    x.batch_interval = duration_of(*p, member(ptr, "batch_interval"));
  if (auto p = obj.if_contains("buffer"))
    x.buffer = static_cast<size_t>(integer(*p, member(ptr, "buffer"), 1, 1 << 30));
  if (auto p = obj.if_contains("stream_maxlen"))
    x.stream_maxlen =
        static_cast<size_t>(integer(*p, member(ptr, "stream_maxlen"), 1, 1 << 30));
  if (auto p = obj.if_contains("reply_timeout"))
    x.reply_timeout = duration_of(*p, member(ptr, "reply_timeout"));
  if (auto p = obj.if_contains("events_retention"))
    x.events_retention = optional_duration(*p, member(ptr, "events_retention"));
  if (x.kind == store_kind::sqlite && x.path.empty())
    fail(config_errc::missing_key, member(ptr, "path"),
         "the database file of a sqlite store", std::string{"no \"path\""});
}

const char* const log_levels[] = {"trace", "debug", "info", "warn", "error", "off"};

} // namespace

agent_settings settings::agent_for(const std::string& type) const {
  auto x = agent;
  x.heartbeat_interval = supervisor.heartbeat_for(type).interval;
  return x;
}

void apply_settings(const json::value& v, const std::string& ptr, settings& x) {
  auto& obj = object(v, ptr);
  only_keys(obj, ptr,
            {"heartbeat", "watchdog", "exhausted", "retention", "offline_retention",
             "history", "subscriber_window", "max_subscribers", "slot_queue", "log",
             "types", "store"});
  auto& sup = x.supervisor;
  // Globals first, whatever the key order: types override them key by key.
  if (auto p = obj.if_contains("heartbeat"))
    read_heartbeat(*p, member(ptr, "heartbeat"), sup.heartbeat);
  if (auto p = obj.if_contains("watchdog"))
    read_watchdog(*p, member(ptr, "watchdog"), sup.watchdog);
  x.agent.heartbeat_interval = sup.heartbeat.interval;
  if (auto p = obj.if_contains("exhausted")) {
    auto e = member(ptr, "exhausted");
    auto& eo = object(*p, e);
    only_keys(eo, e, {"default_recovery"});
    if (auto q = eo.if_contains("default_recovery"))
      x.agent.default_recovery = duration_of(*q, member(e, "default_recovery"));
  }
  if (auto p = obj.if_contains("retention"))
    sup.retention = duration_of(*p, member(ptr, "retention"));
  if (auto p = obj.if_contains("offline_retention"))
    sup.offline_retention = optional_duration(*p, member(ptr, "offline_retention"));
  if (auto p = obj.if_contains("max_subscribers"))
    sup.max_subscribers =
        static_cast<size_t>(integer(*p, member(ptr, "max_subscribers"), 1, 1 << 20));
  if (auto p = obj.if_contains("history"))
    sup.history = static_cast<size_t>(integer(*p, member(ptr, "history"), 1, 1 << 30));
  if (auto p = obj.if_contains("subscriber_window"))
    sup.subscriber_window =
        static_cast<size_t>(integer(*p, member(ptr, "subscriber_window"), 1, 1 << 30));
  if (auto p = obj.if_contains("slot_queue"))
    x.agent.slot_queue =
        static_cast<size_t>(integer(*p, member(ptr, "slot_queue"), 0, 1 << 20));
  if (auto p = obj.if_contains("log")) {
    auto l = member(ptr, "log");
    auto& lo = object(*p, l);
    only_keys(lo, l, {"level"});
    if (auto q = lo.if_contains("level")) {
      auto level = string(*q, member(l, "level"));
      bool known = false;
      for (auto name : log_levels)
        known = known || level == name;
      if (!known)
        fail(config_errc::bad_value, member(l, "level"),
             "one of trace, debug, info, warn, error, off", *q);
      x.log_level = level;
    }
  }
  if (auto p = obj.if_contains("store"))
    read_store(*p, member(ptr, "store"), sup.store);
  if (auto p = obj.if_contains("types")) {
    auto t = member(ptr, "types");
    for (auto& kv : object(*p, t)) {
      auto tp = member(t, kv.key());
      auto& to = object(kv.value(), tp);
      only_keys(to, tp, {"heartbeat", "watchdog", "offline_retention"});
      // Check the keys where they are written, then keep them as written: a later
      // layer may change the globals under them.
      type_settings probe{sup.heartbeat, sup.watchdog, sup.offline_retention};
      if (auto q = to.if_contains("offline_retention"))
        probe.offline_retention =
            optional_duration(*q, member(tp, "offline_retention"));
      if (auto q = to.if_contains("heartbeat"))
        read_heartbeat(*q, member(tp, "heartbeat"), probe.heartbeat);
      if (auto q = to.if_contains("watchdog"))
        read_watchdog(*q, member(tp, "watchdog"), probe.watchdog);
      auto& kept = x.type_overrides[std::string{kv.key()}];
      json::object merged = kept.empty() ? json::object{} : parse(kept).as_object();
      for (auto& section : to) {
        auto& into = merged[section.key()];
        if (!section.value().is_object()) { // a value of its own (offline_retention)
          into = section.value();
          continue;
        }
        if (!into.is_object())
          into = json::object{};
        for (auto& key : section.value().as_object())
          into.as_object()[key.key()] = key.value();
      }
      kept = json::serialize(merged);
    }
  }
  // Every type: the globals as they stand now, then the keys the type names.
  for (auto& [type, text] : x.type_overrides) {
    auto& ts = sup.types[type];
    ts = type_settings{sup.heartbeat, sup.watchdog, sup.offline_retention};
    auto doc = parse(text);
    auto& o = doc.as_object();
    if (auto q = o.if_contains("heartbeat"))
      read_heartbeat(*q, "/types/" + type + "/heartbeat", ts.heartbeat);
    if (auto q = o.if_contains("watchdog"))
      read_watchdog(*q, "/types/" + type + "/watchdog", ts.watchdog);
    if (auto q = o.if_contains("offline_retention"))
      ts.offline_retention =
          optional_duration(*q, "/types/" + type + "/offline_retention");
  }
}

std::optional<settings> read_settings(std::string_view text, const std::string& file,
                                      config_problem& why, const settings& base) {
  try {
    auto x = base;
    apply_settings(parse(text), "", x);
    why = {};
    return x;
  } catch (json_read_error& e) {
    why = std::move(e.problem);
    why.file = file;
    return std::nullopt;
  }
}

std::optional<settings> read_settings_file(const std::string& path, config_problem& why,
                                           const settings& base) {
  std::string text;
  if (!read_file(path, text, why))
    return std::nullopt;
  return read_settings(text, path, why, base);
}

std::optional<settings> read_settings(std::string_view text, const std::string& file,
                                      config_problem& why) {
  static const settings defaults;
  return read_settings(text, file, why, defaults);
}

std::optional<settings> read_settings_file(const std::string& path,
                                           config_problem& why) {
  static const settings defaults;
  return read_settings_file(path, why, defaults);
}

std::string to_string(config_errc x) {
  constexpr detail::word<config_errc> words[] = {
      {config_errc::none, "none"},
      {config_errc::unreadable, "unreadable"},
      {config_errc::syntax, "syntax"},
      {config_errc::wrong_type, "wrong_type"},
      {config_errc::bad_value, "bad_value"},
      {config_errc::unknown_key, "unknown_key"},
      {config_errc::missing_key, "missing_key"},
  };
  static_assert(detail::in_enum_order(words));
  return detail::word_of(words, x, "config_errc");
}

std::string to_string(const config_problem& x) {
  if (x.code == config_errc::unreadable)
    return x.file + ": cannot be read (expected " + x.expected + ", " + x.found + ")";
  if (x.code == config_errc::syntax)
    return x.file + ":" + std::to_string(x.line) + ":" + std::to_string(x.column) +
           ": invalid JSON: " + x.found;
  auto where = x.pointer.empty() ? std::string{"(the whole document)"} : x.pointer;
  return x.file + ": " + where + ": expected " + x.expected + ", found " + x.found;
}

} // namespace vigil
