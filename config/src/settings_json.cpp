// The settings loader (DESIGN §8): one JSON shape, every problem named by its pointer.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "restart_json.hpp"
#include "vigil/config/json_read.hpp"
#include "vigil/config/settings.hpp"
#include "vigil/messages/detail/words.hpp"

namespace vigil {

namespace json = boost::json;
using namespace json_read;

namespace {

// The keys of a heartbeat section, each checked on its own.
void read_heartbeat_keys(const json::value& v, const std::string& ptr,
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
}

// The checks across keys, on heartbeat settings as they stand, reported at a key the
// section at `ptr` wrote: a section that wrote neither key has nothing to answer for.
void check_heartbeat(const heartbeat_settings& x, const std::string& ptr,
                     bool interval_written, bool timeout_written) {
  if (interval_written && x.interval < std::chrono::milliseconds(1))
    fail(config_errc::bad_value, member(ptr, "interval"), "at least 1ms",
         "\"" + format_duration(x.interval) + "\"");
  if ((interval_written || timeout_written) &&
      x.timeout <= x.interval) // every agent would miss beats all the time
    fail(config_errc::bad_value, member(ptr, timeout_written ? "timeout" : "interval"),
         "a timeout longer than the interval",
         "interval " + format_duration(x.interval) + ", timeout " +
             format_duration(x.timeout));
}

// The global heartbeat section: checked whatever keys it names.
void read_heartbeat(const json::value& v, const std::string& ptr,
                    heartbeat_settings& x) {
  read_heartbeat_keys(v, ptr, x);
  check_heartbeat(x, ptr, true, v.as_object().contains("timeout"));
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

// One section of a `types` entry: each key it names is read and checked as the
// global one is, then kept as the type's own (`Overrides::each_key` pairs the keys).
template <class Settings, class Overrides, class Reader>
void read_own(const json::value& v, const std::string& ptr, const Settings& global,
              Overrides& own, Reader read) {
  auto probe = resolve(global, own);
  read(v, ptr, probe);
  auto& obj = v.as_object(); // `read` refused anything else
  Overrides::each_key([&](const char* key, auto global_key, auto own_key) {
    if (obj.contains(key))
      own.*own_key = probe.*global_key;
  });
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
             "types", "store", "restart", "restart_rate"});
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
  if (auto p = obj.if_contains("restart"))
    detail::read_restart(*p, member(ptr, "restart"), sup.restart);
  if (auto p = obj.if_contains("restart_rate"))
    detail::read_restart_rate(*p, member(ptr, "restart_rate"), sup.restart_rate);
  if (auto p = obj.if_contains("types")) {
    auto t = member(ptr, "types");
    for (auto& kv : object(*p, t)) {
      auto tp = member(t, kv.key());
      auto& to = object(kv.value(), tp);
      only_keys(to, tp, {"heartbeat", "watchdog", "offline_retention", "restart"});
      // The keys named here become the type's own; the others keep inheriting, also
      // from a later layer that changes the globals.
      auto& own = sup.types[std::string{kv.key()}];
      if (auto q = to.if_contains("offline_retention"))
        own.offline_retention = optional_duration(*q, member(tp, "offline_retention"));
      if (auto q = to.if_contains("heartbeat"))
        read_own(*q, member(tp, "heartbeat"), sup.heartbeat, own.heartbeat,
                 read_heartbeat_keys);
      if (auto q = to.if_contains("watchdog"))
        read_own(*q, member(tp, "watchdog"), sup.watchdog, own.watchdog, read_watchdog);
      if (auto q = to.if_contains("restart"))
        detail::read_restart_own(*q, member(tp, "restart"), sup.restart, own.restart);
    }
  }
  // Every type as it resolves now (this layer may have changed the globals under an
  // earlier one's keys), reported at the key the type wrote.
  for (auto& [type, own] : sup.types) {
    auto tp = member(member(ptr, "types"), type);
    check_heartbeat(resolve(sup.heartbeat, own.heartbeat), member(tp, "heartbeat"),
                    own.heartbeat.interval.is_set(), own.heartbeat.timeout.is_set());
    auto& ob = own.restart.backoff;
    detail::check_backoff(resolve(sup.restart.backoff, ob),
                          member(member(tp, "restart"), "backoff"), ob.min.is_set(),
                          ob.max.is_set());
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
