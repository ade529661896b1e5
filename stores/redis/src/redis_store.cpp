// The Redis store's connection and record: loading it, the epoch of each start,
// committing batches (the script in redis_commit.cpp) and repairing the rows. Every
// failed or timed-out exchange drops the connection; the next call connects anew.
#include "redis_store.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <hiredis/hiredis.h>

#include "redis_commit.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/stores/redis_url.hpp"

namespace vigil::detail {

namespace {

using args = std::vector<std::string>;

struct reply_deleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

std::string text_of(const redisReply* r) {
  return r && r->str ? std::string(r->str, r->len) : std::string{};
}

uint64_t u64_of(const std::string& text) {
  return std::strtoull(text.c_str(), nullptr, 10);
}

caf::optional<duration> ns_of(const std::string& text) {
  if (text.empty())
    return caf::none;
  return duration{std::strtoll(text.c_str(), nullptr, 10)};
}

/// A count of up to 32 bits; none written (a hash from before restarts) is 0.
bool count32(const std::string& text, uint32_t& x) {
  if (text.empty()) {
    x = 0;
    return true;
  }
  if (text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  auto n = std::strtoull(text.c_str(), nullptr, 10);
  if (n > std::numeric_limits<uint32_t>::max())
    return false;
  x = static_cast<uint32_t>(n);
  return true;
}

std::string ns_text(const caf::optional<duration>& x) {
  return x ? std::to_string(x->count()) : std::string{};
}

/// An HSET of every field of `a`, as `load` reads them back.
args hset_row(const std::string& hash, const stored_agent& a) {
  args x{"HSET", hash};
  auto field = [&](const char* name, std::string value) {
    x.emplace_back(name);
    x.push_back(std::move(value));
  };
  field("type", a.type);
  field("node", a.node);
  field("state", to_string(a.state));
  field("version", std::to_string(a.version));
  field("registered_at", std::to_string(a.registered_at.count()));
  field("started_at", ns_text(a.started_at));
  field("ended_at", ns_text(a.ended_at));
  field("recovery_at", ns_text(a.recovery_at));
  field("reason", a.reason);
  field("last_error", a.last_error);
  field("token_digest", to_hex(a.token_digest));
  field("node_key_digest", to_hex(a.node_key_digest));
  field("restarts", std::to_string(a.restarts));
  field("last_restart_reason", a.last_restart_reason);
  field("restart_due", ns_text(a.restart_due));
  field("restart_attempt", std::to_string(a.restart_attempt));
  field("restart_cause", a.restart_cause);
  return x;
}

class redis_store : public fleet_store {
public:
  redis_store(store_settings cfg, redis_endpoint ep, duration reply_timeout)
      : cfg_(std::move(cfg)), ep_(std::move(ep)) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(reply_timeout);
    timeout_.tv_sec = static_cast<time_t>(us.count() / 1000000);
    timeout_.tv_usec = static_cast<suseconds_t>(us.count() % 1000000);
  }
  ~redis_store() override { drop(); }

  std::string describe() const override { return "redis " + cfg_.url; }

  /// (Re)connects when there is no healthy connection.
  caf::error connect() {
    if (ctx_ && ctx_->err == 0)
      return caf::none;
    drop();
    ctx_ = redisConnectWithTimeout(ep_.host.c_str(), ep_.port, timeout_);
    if (!ctx_ || ctx_->err)
      return failed("cannot connect");
    redisSetTimeout(ctx_, timeout_);
    if (ep_.db != 0) {
      auto r = command({"SELECT", std::to_string(ep_.db)});
      if (!r || r->type == REDIS_REPLY_ERROR)
        return failed("cannot select database " + std::to_string(ep_.db)); // never 0
    }
    return caf::none;
  }

  caf::expected<stored_fleet> load() override {
    if (auto err = connect())
      return err;
    stored_fleet x;
    auto seq = command({"GET", key("seq")});
    if (!seq)
      return failed("cannot read the last seq");
    x.last_seq = u64_of(text_of(seq.get()));
    // The stream's newest entry too, should the seq key be gone (evicted): never
    // number below what the stream holds.
    auto newest = command({"XREVRANGE", key("events"), "+", "-", "COUNT", "1"});
    if (!newest)
      return failed("cannot read the events");
    if (newest->type == REDIS_REPLY_ARRAY && newest->elements == 1)
      x.last_seq =
          std::max(x.last_seq, u64_of(text_of(newest->element[0]->element[0])));
    auto epoch = command({"GET", key("epoch")});
    if (!epoch)
      return failed("cannot read the epoch");
    x.epoch = u64_of(text_of(epoch.get()));
    auto ids = command({"SMEMBERS", key("agents")});
    if (!ids || ids->type != REDIS_REPLY_ARRAY)
      return failed("cannot read the agent ids");
    for (size_t i = 0; i < ids->elements; ++i) {
      auto id = text_of(ids->element[i]);
      auto h = command({"HGETALL", key("agent:" + id)});
      if (!h || h->type != REDIS_REPLY_ARRAY)
        return failed("cannot read agent " + id);
      std::map<std::string, std::string> f;
      for (size_t j = 0; j + 1 < h->elements; j += 2)
        f[text_of(h->element[j])] = text_of(h->element[j + 1]);
      stored_agent a;
      a.id = id;
      a.type = f["type"];
      a.node = f["node"];
      if (!from_string(f["state"], a.state))
        return refused("agent " + id + " has an unknown state \"" + f["state"] + "\"");
      a.version = u64_of(f["version"]);
      a.registered_at = ns_of(f["registered_at"]).value_or(duration{0});
      a.started_at = ns_of(f["started_at"]);
      a.ended_at = ns_of(f["ended_at"]);
      a.recovery_at = ns_of(f["recovery_at"]);
      a.reason = f["reason"];
      a.last_error = f["last_error"];
      if (!from_hex(f["token_digest"], a.token_digest) ||
          !from_hex(f["node_key_digest"], a.node_key_digest))
        return refused("agent " + id + " has a malformed token or node key digest");
      for (auto [name, dst] : {std::pair{"restarts", &a.restarts},
                               std::pair{"restart_attempt", &a.restart_attempt}})
        if (!count32(f[name], *dst))
          return refused("agent " + id + " has " + name + " \"" + f[name] +
                         "\", expected an integer from 0 to 4294967295");
      a.last_restart_reason = f["last_restart_reason"];
      a.restart_due = ns_of(f["restart_due"]);
      a.restart_cause = f["restart_cause"];
      x.agents.push_back(std::move(a));
    }
    return x;
  }

  /// As durable as the server's persistence makes it (AOF with `appendfsync always`
  /// for a power cut); Redis 7.0 has no way to wait for that from here.
  caf::expected<uint64_t> begin_epoch() override {
    if (auto err = connect())
      return err;
    auto r = command({"INCR", key("epoch")});
    if (!r)
      return failed("cannot count the epoch");
    if (r->type != REDIS_REPLY_INTEGER || r->integer < 1)
      return refused("cannot count the epoch: " + text_of(r.get()));
    return static_cast<uint64_t>(r->integer);
  }

  caf::error commit(const std::vector<event>& events, time_point origin) override {
    if (events.empty())
      return caf::none;
    if (auto err = connect())
      return err;
    auto r = command(commit_call(events, origin, cfg_));
    if (!r) // timed out or broke: it may still run, and the retry's check sees that
      return failed("did not answer a commit");
    if (r->type == REDIS_REPLY_ERROR)
      return refused("refused a commit: " + text_of(r.get()));
    return caf::none;
  }

  caf::error repair(const std::vector<stored_agent>& agents, uint64_t,
                    time_point) override {
    if (auto err = connect())
      return err;
    // WATCH makes "the ids read here" and "the ids replaced" the same set; a write
    // in between (a late commit) aborts the EXEC, and the ids are read again.
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto old = pipeline({{"WATCH", key("agents")}, {"SMEMBERS", key("agents")}});
      if (!old)
        return old.error();
      auto& ids = (*old)[1];
      if (ids->type != REDIS_REPLY_ARRAY) {
        auto err = refused("cannot read the agent ids: " + text_of(ids.get()));
        drop(); // and its WATCH
        return err;
      }
      std::vector<args> cmds{{"MULTI"}};
      for (size_t i = 0; i < ids->elements; ++i)
        cmds.push_back({"DEL", key("agent:" + text_of(ids->element[i]))});
      cmds.push_back({"DEL", key("agents")});
      args members{"SADD", key("agents")};
      for (auto& a : agents) {
        auto hash = key("agent:" + a.id);
        cmds.push_back({"DEL", hash}); // also a hash left without its id in the set
        cmds.push_back(hset_row(hash, a));
        members.push_back(a.id);
      }
      if (!agents.empty())
        cmds.push_back(std::move(members));
      cmds.push_back({"EXEC"});
      auto replies = pipeline(cmds);
      if (!replies)
        return replies.error();
      auto& exec = replies->back();
      if (exec->type == REDIS_REPLY_NIL)
        continue; // the set changed since WATCH: nothing was written
      if (exec->type != REDIS_REPLY_ARRAY)
        return refused("refused a repair: " + text_of(exec.get()));
      for (size_t i = 0; i < exec->elements; ++i)
        if (exec->element[i]->type == REDIS_REPLY_ERROR)
          return refused("failed in a repair: " + text_of(exec->element[i]));
      return caf::none;
    }
    return refused("could not repair: the agent ids kept changing");
  }

private:
  std::string key(const std::string& k) const { return cfg_.prefix + ":" + k; }

  /// An error with the connection's reason; drops the connection.
  caf::error failed(const std::string& what) {
    std::string why = ctx_ && ctx_->err ? ctx_->errstr : "";
    drop();
    return refused(why.empty() ? what : what + " (" + why + ")");
  }

  caf::error refused(const std::string& what) const {
    return make_error(errc::bad_config, "store " + describe(), what);
  }

  void drop() {
    if (ctx_)
      redisFree(ctx_);
    ctx_ = nullptr;
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

  /// One answer, or null with the connection broken or timed out.
  reply_ptr command(const args& a) {
    append(a);
    void* r = nullptr;
    if (redisGetReply(ctx_, &r) != REDIS_OK)
      return nullptr;
    return reply_ptr{static_cast<redisReply*>(r)};
  }

  /// Sends `cmds` at once and reads every answer before anything is judged: answers
  /// left in the socket would answer the next call's commands.
  caf::expected<std::vector<reply_ptr>> pipeline(const std::vector<args>& cmds) {
    for (auto& c : cmds)
      append(c);
    std::vector<reply_ptr> replies;
    for (size_t i = 0; i < cmds.size(); ++i) {
      void* r = nullptr;
      if (redisGetReply(ctx_, &r) != REDIS_OK)
        return failed("the connection broke or timed out");
      replies.emplace_back(static_cast<redisReply*>(r));
    }
    return replies;
  }

  store_settings cfg_;
  redis_endpoint ep_;
  timeval timeout_{};
  redisContext* ctx_ = nullptr;
};

} // namespace

caf::expected<std::shared_ptr<fleet_store>>
open_redis_store(const store_settings& cfg) {
  redis_endpoint ep;
  std::string why;
  if (!parse_redis_url(cfg.url, ep, why))
    return make_error(errc::bad_config, "store redis " + cfg.url, why);
  auto store = std::make_shared<redis_store>(cfg, ep, cfg.reply_timeout);
  if (auto err = store->connect())
    return err;
  return std::shared_ptr<fleet_store>{std::move(store)};
}

} // namespace vigil::detail
