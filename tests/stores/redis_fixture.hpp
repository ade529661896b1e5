// The Redis test fixture: a real redis-server that each test starts on a free
// loopback port (and stops), a supervisor set up to use it, and plain hiredis
// connections for looking at what the store wrote.
#pragma once

#include <chrono>
#include <memory>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <boost/json/parse.hpp>
#include <hiredis/hiredis.h>

#include "nodes/process.hpp"
#include "support/scratch_dir.hpp"
#include "support/supervisor_fixture.hpp"

namespace vigil::test {

inline uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class redis_fixture : public vigil::test::supervisor_fixture {
public:
  redis_fixture() {
    port = free_port();
    start_redis();
    cfg.store.kind = store_kind::redis;
    cfg.store.url = "redis://127.0.0.1:" + std::to_string(port) + "/0";
  }

  ~redis_fixture() override {
    server.reset(); // before its directory goes
  }

  void start_redis() {
    server = std::make_unique<process>(
        std::vector<std::string>{"/usr/bin/redis-server", "--port",
                                 std::to_string(port), "--bind", "127.0.0.1", "--save",
                                 "", "--appendonly", "no", "--dir", dir.path(),
                                 // DEBUG SLEEP: a server slower than a reply timeout
                                 "--enable-debug-command", "local"},
        dir / "redis");
    auto up = [&] {
      auto c = connect();
      if (c)
        redisFree(c);
      return c != nullptr;
    };
    ASSERT_TRUE(eventually(up, std::chrono::seconds(10))) << server->err();
  }

  redisContext* connect() {
    timeval tv{2, 0};
    auto c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (!c || c->err) {
      if (c)
        redisFree(c);
      return nullptr;
    }
    redisSetTimeout(c, tv);
    return c;
  }

  /// The seqs of the stream's entries, in stream order.
  std::vector<uint64_t> stream_seqs() {
    std::vector<uint64_t> xs;
    auto c = connect();
    if (!c)
      return xs;
    auto r = static_cast<redisReply*>(redisCommand(c, "XRANGE vigil:events - +"));
    for (size_t i = 0; r && i < r->elements; ++i) {
      auto* fields = r->element[i]->element[1];
      auto json = boost::json::parse(
          std::string(fields->element[1]->str, fields->element[1]->len));
      xs.push_back(json.as_object().at("seq").to_number<uint64_t>());
    }
    freeReplyObject(r);
    redisFree(c);
    return xs;
  }

  /// A connection subscribed to the events channel.
  redisContext* subscriber() {
    auto c = connect();
    if (c)
      freeReplyObject(redisCommand(c, "SUBSCRIBE vigil:events"));
    return c;
  }

  /// The seqs of the lines `sub` got since the last call, in the order published:
  /// read up to the answer to a PING, which Redis sends after every message published
  /// before it, so nothing published so far is still on its way.
  std::vector<uint64_t> published(redisContext* sub) {
    std::vector<uint64_t> xs;
    redisAppendCommand(sub, "PING");
    for (;;) {
      void* r = nullptr;
      if (redisGetReply(sub, &r) != REDIS_OK)
        break;
      auto* m = static_cast<redisReply*>(r);
      std::string what(m->element[0]->str, m->element[0]->len);
      if (what == "message") {
        auto json =
            boost::json::parse(std::string(m->element[2]->str, m->element[2]->len));
        xs.push_back(json.as_object().at("seq").to_number<uint64_t>());
      }
      freeReplyObject(m);
      if (what == "pong")
        break;
    }
    return xs;
  }

  vigil::test::scratch_dir dir;
  uint16_t port = 0;
  std::unique_ptr<process> server;
  supervisor_settings cfg;
};

} // namespace vigil::test
