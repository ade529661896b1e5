// vigil over HTTP (DESIGN §13): `/metrics` for Prometheus, the dashboard at `/`, its
// JSON at `/api/...` and its live feed at `/events` (Server-Sent Events), on
// cpp-httplib in threads of its own. The HTTP threads reach the supervisor only as an
// observer through CAF; they never touch its state.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include "vigil/supervisors/supervisor.hpp"

namespace vigil {

struct http_options {
  /// Where to listen: loopback unless an address is named (`0.0.0.0` for every
  /// interface). There is no TLS: put a reverse proxy in front to expose it.
  std::string address = "127.0.0.1";
  uint16_t port = 0; ///< 0: a free port, see `http_server::port()`.
  /// Threads serving requests (each request holds one while it runs; an open
  /// `/events` stream holds one for as long as it is open).
  size_t threads = 16;
  /// Open `/events` streams at most; one more is answered 503. At most `threads - 2`,
  /// so that `/metrics` and the API have threads left (a client that sends its request
  /// slowly holds a thread for up to 2 s per read: put a proxy in front of a server
  /// others can reach).
  size_t max_streams = 4;
  /// An open stream sends a comment this often when no event comes, so that proxies
  /// keep it and a browser that went away is noticed.
  std::chrono::milliseconds keepalive{15000};
  /// How long a request waits for the supervisor before it answers 503.
  std::chrono::milliseconds supervisor_timeout{5000};
};

/// A running HTTP server. Stops (and joins its threads) when destroyed.
class http_server {
public:
  /// Listens on `opts.address`:`opts.port` and serves `sup` (an observer: it can read,
  /// never command). Fails when the address is not one to listen on or the port is
  /// taken, naming both.
  static caf::expected<std::unique_ptr<http_server>>
  start(caf::actor_system& sys, supervisor_observer sup, http_options opts = {});

  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// The port it listens on (the one chosen when `opts.port` was 0).
  uint16_t port() const noexcept;
  /// `http://ADDRESS:PORT`.
  std::string url() const;
  /// Stops listening, ends open requests and joins the threads; idempotent.
  void stop();

  struct impl;

private:
  explicit http_server(std::unique_ptr<impl> x);
  std::unique_ptr<impl> impl_;
};

} // namespace vigil
