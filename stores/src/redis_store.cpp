#include "redis_store.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <hiredis/hiredis.h>

#include "vigil/messages/errc.hpp"
#include "vigil/messages/event_line.hpp"

namespace vigil::detail {

namespace {

using args = std::vector<std::string>;

struct reply_deleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

bool running(agent_state x) {
  return phase_of(x) == agent_phase::running;
}

caf::optional<duration> ns_of(const std::string& text) {
  if (text.empty())
    return caf::none;
  return duration{std::strtoll(text.c_str(), nullptr, 10)};
}

class redis_store : public fleet_store {
public:
  redis_store(store_settings cfg, redis_endpoint ep)
      : cfg_(std::move(cfg)), ep_(std::move(ep)) {}
  ~redis_store() override {
    if (ctx_)
      redisFree(ctx_);
  }

  std::string describe() const override { return "redis " + cfg_.url; }

  /// (Re)connects when there is no healthy connection.
  caf::error connect() {
    if (ctx_ && ctx_->err == 0)
      return caf::none;
    if (ctx_)
      redisFree(ctx_);
    timeval tv{2, 0};
    ctx_ = redisConnectWithTimeout(ep_.host.c_str(), ep_.port, tv);
    if (!ctx_ || ctx_->err)
      return problem("cannot connect");
    redisSetTimeout(ctx_, tv);
    if (ep_.db != 0) {
      auto r = command({"SELECT", std::to_string(ep_.db)});
      if (!r || r->type == REDIS_REPLY_ERROR) {
        auto err = problem("cannot select database " + std::to_string(ep_.db));
        redisFree(ctx_); // never fall back to database 0
        ctx_ = nullptr;
        return err;
      }
    }
    return caf::none;
  }

  caf::expected<stored_fleet> load() override {
    if (auto err = connect())
      return err;
    stored_fleet x;
    auto seq = command({"GET", key("seq")});
    if (!seq)
      return problem("cannot read the last seq");
    if (seq->type == REDIS_REPLY_STRING)
      x.last_seq = std::strtoull(std::string(seq->str, seq->len).c_str(), nullptr, 10);
    // The stream's newest entry too, should the seq key be gone (evicted): never
    // number below what the stream holds.
    auto newest = command({"XREVRANGE", key("events"), "+", "-", "COUNT", "1"});
    if (newest && newest->type == REDIS_REPLY_ARRAY && newest->elements == 1) {
      std::string id(newest->element[0]->element[0]->str,
                     newest->element[0]->element[0]->len);
      x.last_seq =
          std::max<uint64_t>(x.last_seq, std::strtoull(id.c_str(), nullptr, 10));
    }
    auto ids = command({"SMEMBERS", key("agents")});
    if (!ids || ids->type != REDIS_REPLY_ARRAY)
      return problem("cannot read the agent ids");
    for (size_t i = 0; i < ids->elements; ++i) {
      std::string id(ids->element[i]->str, ids->element[i]->len);
      auto h = command({"HGETALL", key("agent:" + id)});
      if (!h || h->type != REDIS_REPLY_ARRAY)
        return problem("cannot read agent " + id);
      std::map<std::string, std::string> f;
      for (size_t j = 0; j + 1 < h->elements; j += 2)
        f[std::string(h->element[j]->str, h->element[j]->len)] =
            std::string(h->element[j + 1]->str, h->element[j + 1]->len);
      stored_agent a;
      a.id = id;
      a.type = f["type"];
      a.node = f["node"];
      if (!from_string(f["state"], a.state))
        return make_error(errc::bad_config, "store " + describe(),
                          "agent " + id + " has an unknown state \"" + f["state"] +
                              "\"");
      a.version = std::strtoull(f["version"].c_str(), nullptr, 10);
      a.registered_at = ns_of(f["registered_at"]).value_or(duration{0});
      a.started_at = ns_of(f["started_at"]);
      a.ended_at = ns_of(f["ended_at"]);
      a.recovery_at = ns_of(f["recovery_at"]);
      a.reason = f["reason"];
      a.last_error = f["last_error"];
      if (!from_hex(f["token_digest"], a.token_digest) ||
          !from_hex(f["node_key_digest"], a.node_key_digest))
        return make_error(errc::bad_config, "store " + describe(),
                          "agent " + id + " has a malformed token or node key digest");
      x.agents.push_back(std::move(a));
    }
    return x;
  }

  caf::error commit(const std::vector<event>& events, time_point origin) override {
    if (auto err = connect())
      return err;
    // One MULTI/EXEC transaction, pipelined: all or nothing.
    std::vector<args> cmds;
    cmds.push_back({"MULTI"});
    auto ns = [&](time_point t) {
      return std::to_string((t - origin).count());
    };
    for (auto& e : events) {
      auto line = event_line(e, origin);
      cmds.push_back({"XADD", key("events"), "MAXLEN", "~",
                      std::to_string(cfg_.stream_maxlen), std::to_string(e.seq) + "-1",
                      "json", line});
      cmds.push_back({"PUBLISH", key("events"), line});
      auto hash = key("agent:" + e.agent);
      auto recovery = e.recovery_at ? ns(*e.recovery_at) : std::string{};
      switch (e.kind) {
      case event_kind::registered:
        cmds.push_back({"DEL", hash});
        cmds.push_back({"HSET",
                        hash,
                        "type",
                        e.type,
                        "node",
                        e.node,
                        "state",
                        to_string(e.to),
                        "version",
                        std::to_string(e.version),
                        "registered_at",
                        ns(e.at),
                        "started_at",
                        running(e.to) ? ns(e.at) : "",
                        "ended_at",
                        "",
                        "recovery_at",
                        recovery,
                        "reason",
                        e.reason,
                        "last_error",
                        "",
                        "token_digest",
                        to_hex(e.token_digest),
                        "node_key_digest",
                        to_hex(e.node_key_digest)});
        cmds.push_back({"SADD", key("agents"), e.agent});
        break;
      case event_kind::transition:
        cmds.push_back({"HSET", hash, "type", e.type, "node", e.node, "state",
                        to_string(e.to), "version", std::to_string(e.version),
                        "recovery_at", recovery, "reason", e.reason, "ended_at",
                        is_terminal(e.to) ? ns(e.at) : ""});
        cmds.push_back(
            {"SADD", key("agents"), e.agent}); // also without its registration
        cmds.push_back({"HSETNX", hash, "registered_at", ns(e.at)});
        if (running(e.to)) // the first time running, kept
          cmds.push_back({"EVAL",
                          "local v = redis.call('HGET', KEYS[1], 'started_at') "
                          "if not v or v == '' then "
                          "redis.call('HSET', KEYS[1], 'started_at', ARGV[1]) end",
                          "1", hash, ns(e.at)});
        if (!e.error.empty())
          cmds.push_back({"HSET", hash, "last_error", e.error});
        break;
      case event_kind::purged:
        cmds.push_back({"DEL", hash});
        cmds.push_back({"SREM", key("agents"), e.agent});
        break;
      default:
        break;
      }
    }
    if (!events.empty())
      cmds.push_back({"SET", key("seq"), std::to_string(events.back().seq)});
    cmds.push_back({"EXEC"});
    for (auto& c : cmds)
      append(c);
    // Every reply is read before anything is judged: replies left in the socket would
    // answer the next commit's commands.
    std::vector<reply_ptr> replies;
    for (size_t i = 0; i < cmds.size(); ++i) {
      void* r = nullptr;
      if (redisGetReply(ctx_, &r) != REDIS_OK) {
        auto err = problem("the connection broke during a commit");
        redisFree(ctx_); // reconnect on the next attempt
        ctx_ = nullptr;
        return err;
      }
      replies.emplace_back(static_cast<redisReply*>(r));
    }
    if (replies.front()->type != REDIS_REPLY_STATUS) { // MULTI refused: nothing queued
      auto err = problem("refused MULTI");
      redisFree(ctx_);
      ctx_ = nullptr;
      return err;
    }
    for (size_t i = 0; i + 1 < replies.size(); ++i)
      if (replies[i]->type == REDIS_REPLY_ERROR) // refused while queueing: EXEC aborted
        return problem("refused a command: " +
                       std::string(replies[i]->str, replies[i]->len));
    auto& last = replies.back();
    if (!last || last->type != REDIS_REPLY_ARRAY)
      return problem("did not run the transaction");
    for (size_t i = 0; i < last->elements; ++i) {
      auto* r = last->element[i];
      // An entry id at or below the stream's newest: committed before (a retry after
      // a lost answer); the rest of the transaction still applies.
      if (r->type == REDIS_REPLY_ERROR &&
          std::string(r->str, r->len).find("equal or smaller") == std::string::npos)
        return problem("failed in the transaction: " + std::string(r->str, r->len));
    }
    return caf::none;
  }

private:
  std::string key(const std::string& k) const { return cfg_.prefix + ":" + k; }

  caf::error problem(const std::string& what) const {
    std::string why = ctx_ && ctx_->err ? ctx_->errstr : "";
    return make_error(errc::bad_config, "store " + describe(),
                      why.empty() ? what : what + " (" + why + ")");
  }

  void append(const args& a) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto& s : a) {
      argv.push_back(s.data());
      lens.push_back(s.size());
    }
    redisAppendCommandArgv(ctx_, static_cast<int>(a.size()), argv.data(), lens.data());
  }

  reply_ptr command(const args& a) {
    append(a);
    void* r = nullptr;
    if (redisGetReply(ctx_, &r) != REDIS_OK)
      return nullptr;
    return reply_ptr{static_cast<redisReply*>(r)};
  }

  store_settings cfg_;
  redis_endpoint ep_;
  redisContext* ctx_ = nullptr;
};

} // namespace

caf::expected<std::shared_ptr<fleet_store>>
open_redis_store(const store_settings& cfg) {
  redis_endpoint ep;
  std::string why;
  if (!parse_redis_url(cfg.url, ep, why))
    return make_error(errc::bad_config, "store redis " + cfg.url, why);
  auto store = std::make_shared<redis_store>(cfg, ep);
  if (auto err = store->connect())
    return err;
  return std::shared_ptr<fleet_store>{std::move(store)};
}

} // namespace vigil::detail
