// The Lua script of a Redis commit and the arguments it takes. A script rather than
// MULTI/EXEC because the check must run where the writes do: a transaction sent on a
// connection that timed out may still run after its retry, and only a check inside it
// can then tell that its events are in already.
#include "redis_commit.hpp"

#include "vigil/messages/event_json.hpp"
#include "vigil/stores/detail/restart_record.hpp"

namespace vigil::detail {

namespace {

// KEYS: PREFIX:seq, PREFIX:events (stream and channel), PREFIX:agents, then one agent
// hash per event. ARGV: the stream's MAXLEN, then 22 strings per event, in the order
// `commit_call` writes them. Restart events change rows that exist only. Each event's
// row comes before its stream entry, and the seq key is set last: a script that fails
// half-way (Redis keeps what it wrote) leaves the stream's newest entry as the last
// event done in full, and the rows of the next one are written again, to the same
// values, by the retry.
constexpr const char* script = R"(
local function above(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
local last = redis.call('GET', KEYS[1]) or '0'
local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if top[1] then
  local s = string.match(top[1][1], '^(%d+)')
  if s and above(s, last) then last = s end
end
local n = 0
for k = 1, #KEYS - 3 do
  local b = 1 + (k - 1) * 22
  local seq, effect, id = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
  if above(seq, last) then
    local h = KEYS[3 + k]
    if effect == 'register' then
      local last_reason = ARGV[b + 18]
      if ARGV[b + 19] == 'keep' then
        last_reason = redis.call('HGET', h, 'last_restart_reason') or ''
      end
      redis.call('DEL', h)
      redis.call('HSET', h, 'type', ARGV[b + 5], 'node', ARGV[b + 6],
                 'state', ARGV[b + 7], 'version', ARGV[b + 8],
                 'registered_at', ARGV[b + 9], 'started_at', ARGV[b + 10],
                 'ended_at', '', 'recovery_at', ARGV[b + 12], 'reason', ARGV[b + 13],
                 'last_error', '', 'token_digest', ARGV[b + 14],
                 'node_key_digest', ARGV[b + 15], 'restarts', ARGV[b + 17],
                 'last_restart_reason', last_reason, 'restart_due', '',
                 'restart_attempt', '0', 'restart_cause', '')
      redis.call('SADD', KEYS[3], id)
    elseif effect == 'schedule' then
      if redis.call('EXISTS', h) == 1 then
        redis.call('HSET', h, 'restart_due', ARGV[b + 20],
                   'restart_attempt', ARGV[b + 21], 'restart_cause', ARGV[b + 22])
      end
    elseif effect == 'unschedule' then
      if redis.call('EXISTS', h) == 1 then
        redis.call('HSET', h, 'restart_due', '', 'restart_attempt', '0',
                   'restart_cause', '')
      end
    elseif effect == 'update' then
      redis.call('HSET', h, 'type', ARGV[b + 5], 'node', ARGV[b + 6],
                 'state', ARGV[b + 7], 'version', ARGV[b + 8],
                 'recovery_at', ARGV[b + 12], 'reason', ARGV[b + 13],
                 'ended_at', ARGV[b + 11])
      redis.call('SADD', KEYS[3], id)
      redis.call('HSETNX', h, 'registered_at', ARGV[b + 9])
      if ARGV[b + 10] ~= '' then
        local v = redis.call('HGET', h, 'started_at')
        if not v or v == '' then redis.call('HSET', h, 'started_at', ARGV[b + 10]) end
      end
      if ARGV[b + 4] ~= '' then redis.call('HSET', h, 'last_error', ARGV[b + 4]) end
    elseif effect == 'remove' then
      redis.call('DEL', h)
      redis.call('SREM', KEYS[3], id)
    end
    local line = ARGV[b + 16]
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], seq .. '-1', 'json', line)
    redis.call('PUBLISH', KEYS[2], line)
    last = seq
    n = n + 1
  end
end
if n > 0 then redis.call('SET', KEYS[1], last) end
return n
)";

const char* effect_of(event_kind x) {
  switch (x) {
  case event_kind::registered:
    return "register"; // a new row
  case event_kind::transition:
    return "update"; // an upsert: also a row whose registration was dropped
  case event_kind::restart_scheduled:
    return "schedule"; // the pending restart
  case event_kind::restart_gave_up:
    return "unschedule";
  case event_kind::purged:
    return "remove";
  default: // watchdog notes and missed beats: in the stream, not in the row
    return "";
  }
}

} // namespace

std::vector<std::string> commit_call(const std::vector<event>& events,
                                     time_point origin, const store_settings& cfg) {
  auto key = [&](const std::string& k) {
    return cfg.prefix + ":" + k;
  };
  auto ns = [&](time_point t) {
    return std::to_string((t - origin).count());
  };
  std::vector<std::string> xs{
      "EVAL",     script,        std::to_string(3 + events.size()),
      key("seq"), key("events"), key("agents")};
  xs.reserve(xs.size() + events.size() * 23 + 1);
  for (auto& e : events)
    xs.push_back(key("agent:" + e.agent));
  xs.push_back(std::to_string(cfg.stream_maxlen));
  for (auto& e : events) { // 22 strings: ARGV[b + 1] to ARGV[b + 22] in the script
    auto at = ns(e.at);
    xs.push_back(std::to_string(e.seq));
    xs.push_back(effect_of(e.kind));
    xs.push_back(e.agent);
    xs.push_back(e.error);
    xs.push_back(e.type);
    xs.push_back(e.node);
    xs.push_back(to_string(e.to));
    xs.push_back(std::to_string(e.version));
    xs.push_back(at);
    xs.push_back(is_running(e.to) ? at : std::string{});
    xs.push_back(is_terminal(e.to) ? at : std::string{});
    xs.push_back(e.recovery_at ? ns(*e.recovery_at) : std::string{});
    xs.push_back(e.reason);
    xs.push_back(to_hex(e.token_digest));
    xs.push_back(to_hex(e.node_key_digest));
    xs.push_back(event_line(e, origin));
    xs.push_back(std::to_string(e.restarts));
    auto last_reason = last_restart_reason_of(e);
    xs.push_back(last_reason ? *last_reason : std::string{});
    xs.push_back(last_reason ? "set" : "keep");
    xs.push_back(e.due ? ns(*e.due) : std::string{});
    xs.push_back(std::to_string(e.attempt));
    xs.push_back(e.details);
  }
  return xs;
}

} // namespace vigil::detail
