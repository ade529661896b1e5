#include "vigil/web/http_server.hpp"

#include <atomic>
#include <charconv>
#include <mutex>
#include <optional>
#include <thread>

#include <caf/scoped_actor.hpp>
#include <httplib.h>
#include <spdlog/logger.h>

#include "api_json.hpp"
#include "event_stream.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/event_json.hpp"
#include "vigil/messages/inbound_checks.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/web/fleet_collectable.hpp"
#include "vigil/web/metrics_text.hpp"
#include "web_assets.hpp"

namespace vigil {

using namespace detail;

namespace {

constexpr const char* json_type = "application/json";

time_point origin_now() {
  return unix_origin(std::chrono::steady_clock::now());
}

/// A query value as a whole number, or an error text naming it.
bool whole_number(const std::string& text, uint64_t& x) {
  auto end = text.data() + text.size();
  auto r = std::from_chars(text.data(), end, x);
  return !text.empty() && r.ec == std::errc{} && r.ptr == end;
}

void fail(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(error_json(text), json_type);
}

} // namespace

struct http_server::impl {
  caf::actor_system& sys;
  supervisor_observer sup;
  http_options opts;
  httplib::Server server;
  std::thread thread;
  uint16_t port = 0;
  std::atomic<size_t> streams{0};
  std::atomic<bool> stopping{false};
  std::mutex stop_mtx;
  /// Requests that walk the whole record on the supervisor (`/api/agents`,
  /// `/api/nodes`) under way: at most `max_walks`, so that clients cannot keep the
  /// supervisor walking instead of judging beats.
  std::atomic<size_t> walks{0};
  static constexpr size_t max_walks = 2;

  /// DNS rebinding: a page of another site that resolves its name to our address may
  /// not read the fleet. Served for this server's own address (and `localhost` on
  /// loopback); any host when it listens on every interface.
  bool host_allowed(const std::string& host) const {
    auto& a = opts.address;
    if (a == "0.0.0.0" || a == "::")
      return true;
    auto p = ":" + std::to_string(port);
    auto bracketed = a.find(':') != std::string::npos ? "[" + a + "]" : a;
    if (host == bracketed + p || host == bracketed)
      return true;
    bool loopback = a == "127.0.0.1" || a == "::1" || a == "localhost";
    return loopback && (host == "localhost" + p || host == "localhost" ||
                        host == "127.0.0.1" + p || host == "[::1]" + p);
  }

  /// Runs `f` if fewer than `max_walks` walks are under way, else answers 503.
  template <class F>
  void walk(httplib::Response& res, F f) {
    if (walks.fetch_add(1) >= max_walks) {
      walks.fetch_sub(1);
      res.set_header("Retry-After", "1");
      return fail(res, 503, "the supervisor is answering other listings; try again");
    }
    f();
    walks.fetch_sub(1);
  }

  impl(caf::actor_system& sys, supervisor_observer sup, http_options opts)
      : sys(sys), sup(std::move(sup)), opts(std::move(opts)) {}

  /// Asks the supervisor (as an observer), answering 503 or 404 for `res` on failure.
  template <class T, class... Ts>
  std::optional<T> ask(httplib::Response& res, Ts&&... xs) {
    caf::scoped_actor self{sys};
    std::optional<T> out;
    self->request(sup, opts.supervisor_timeout, std::forward<Ts>(xs)...)
        .receive([&](T& x) { out = std::move(x); },
                 [&](caf::error& err) {
                   if (code_of(err) == errc::unknown_agent)
                     fail(res, 404, sys.render(err));
                   else if (code_of(err) == errc::bad_input)
                     fail(res, 400, sys.render(err));
                   else
                     fail(res, 503,
                          "the supervisor did not answer: " + sys.render(err));
                 });
    return out;
  }

  void routes() {
    for (size_t i = 0; i < web_asset_count; ++i) {
      auto& a = web_assets[i];
      auto serve = [&a](const httplib::Request&, httplib::Response& res) {
        res.set_header("Cache-Control", "no-cache");
        res.set_content(a.body, a.content_type);
      };
      server.Get(a.path, serve);
      if (std::string{a.path} == "/index.html")
        server.Get("/", serve);
    }
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      auto m = fetch_metrics(sys, sup, opts.supervisor_timeout);
      if (!m) {
        res.status = 503;
        res.set_content("the supervisor did not answer: " + sys.render(m.error()) +
                            "\n",
                        "text/plain; charset=utf-8");
        return;
      }
      res.set_content(metrics_text(*m), metrics_content_type);
    });
    server.Get("/api/summary", [this](const httplib::Request&, httplib::Response& res) {
      if (auto m = ask<fleet_metrics>(res, metrics_atom::value))
        res.set_content(summary_json(*m), json_type);
    });
    server.Get("/api/agents", [this](const httplib::Request& req,
                                     httplib::Response& res) {
      agent_query q;
      if (auto s = req.get_param_value("state"); !s.empty()) {
        agent_state x;
        if (!from_string(s, x))
          return fail(res, 400,
                      "state: expected one of spawning, idle, busy, on_call, "
                      "exhausted, offline, completed, failed or killed, found \"" +
                          s + "\"");
        q.state = x;
      }
      q.type = req.get_param_value("type");
      q.node = req.get_param_value("node");
      q.id_contains = req.get_param_value("q");
      if (auto p = req.get_param_value("page"); !p.empty() && !whole_number(p, q.page))
        return fail(res, 400,
                    "page: expected a whole number from 0, found \"" + p + "\"");
      if (auto n = req.get_param_value("page_size"); !n.empty()) {
        uint64_t size = 0;
        if (!whole_number(n, size) || size == 0 || size > max_page_size)
          return fail(res, 400,
                      "page_size: expected 1 to " + std::to_string(max_page_size) +
                          ", found \"" + n + "\"");
        q.page_size = static_cast<uint32_t>(size);
      }
      if (auto err = check_inbound(q))
        return fail(res, 400, sys.render(err));
      walk(res, [&] {
        if (auto p = ask<agent_page>(res, page_atom::value, std::move(q)))
          res.set_content(page_json(*p, origin_now()), json_type);
      });
    });
    server.Get(R"(/api/agents/(.+))",
               [this](const httplib::Request& req, httplib::Response& res) {
                 std::string id = req.matches[1];
                 if (auto d = ask<agent_detail>(res, detail_atom::value, std::move(id)))
                   res.set_content(detail_json(*d, origin_now()), json_type);
               });
    server.Get("/api/nodes", [this](const httplib::Request&, httplib::Response& res) {
      walk(res, [&] {
        if (auto n = ask<std::vector<node_summary>>(res, nodes_atom::value))
          res.set_content(nodes_json(*n), json_type);
      });
    });
    server.Get("/events", [this](const httplib::Request& req, httplib::Response& res) {
      events(req, res);
    });
  }

  /// `/events`: resumes after `Last-Event-ID` (or `?from=SEQ`) of the start `?epoch=`
  /// (without it a seq cannot be trusted: another start may have numbered other events
  /// so, and the stream resyncs), else from now. A resume the supervisor cannot
  /// continue without a gap (another start, events gone from its history) begins with
  /// a `resync` event and goes on from now: the page reloads its picture, as a CAF
  /// subscriber replaces its model with a snapshot (one without agents: the supervisor
  /// never builds a snapshot of a million agents for a browser).
  void events(const httplib::Request& req, httplib::Response& res) {
    auto resume = req.get_header_value("Last-Event-ID");
    if (resume.empty())
      resume = req.get_param_value("from");
    subscription_request sub;
    sub.with_agents = false;
    uint64_t from = 0;
    if (!resume.empty() && !whole_number(resume, from))
      return fail(res, 400,
                  "Last-Event-ID: expected an event's seq, found \"" + resume + "\"");
    if (!resume.empty())
      sub.from_seq = from;
    auto epoch_text = req.get_param_value("epoch");
    if (!epoch_text.empty() && !whole_number(epoch_text, sub.epoch))
      return fail(res, 400,
                  "epoch: expected a supervisor's start, found \"" + epoch_text + "\"");
    if (streams.fetch_add(1) >= opts.max_streams) {
      streams.fetch_sub(1);
      res.set_header("Retry-After", "10");
      return fail(res, 503,
                  std::to_string(opts.max_streams) +
                      " event streams are open already, the most this server keeps");
    }
    auto stream = event_stream::open(sys, sup, std::move(sub));
    // When the stream last sent anything (none: nothing yet): a keepalive comment
    // follows a quiet spell.
    auto last =
        std::make_shared<std::optional<std::chrono::steady_clock::time_point>>();
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, stream, last](size_t, httplib::DataSink& sink) {
          auto text = stream->take(std::chrono::milliseconds{*last ? 250 : 0});
          if (stopping)
            return false;
          auto now = std::chrono::steady_clock::now();
          if (!*last) {
            // A browser waits 5 s before it reconnects (a refused or ended stream
            // would otherwise come back every 3 s).
            text = "retry: 5000\n\n" + text;
          } else if (text.empty()) {
            if (now - **last < opts.keepalive)
              return true;
            text = ": keepalive\n\n";
          }
          if (!sink.write(text.data(), text.size()))
            return false; // the browser went away
          *last = now;
          if (stream->ended())
            sink.done();
          return true;
        },
        [this, stream](bool) {
          stream->close();
          streams.fetch_sub(1);
        });
  }
};

caf::expected<std::unique_ptr<http_server>>
http_server::start(caf::actor_system& sys, supervisor_observer sup, http_options opts) {
  if (!sup)
    return make_error(errc::invalid_request, std::string{"http server"},
                      std::string{"a supervisor"}, std::string{"none"});
  if (opts.threads < opts.max_streams + 2)
    return make_error(errc::invalid_request, std::string{"http threads"},
                      "at least max_streams + 2 (" +
                          std::to_string(opts.max_streams + 2) +
                          ", so that /metrics and the API keep two)",
                      std::to_string(opts.threads));
  auto x = std::make_unique<impl>(sys, std::move(sup), opts);
  auto threads = opts.threads;
  x->server.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second server
  // on the same port would start and silently take half of the connections.
  x->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Reading only: no request needs a body, and httplib would otherwise read one of any
  // size before it finds no handler.
  x->server.set_payload_max_length(1024);
  // Threads are the bound (each connection holds one): idle keep-alive connections and
  // slow clients give theirs back soon.
  x->server.set_keep_alive_timeout(1);
  x->server.set_keep_alive_max_count(4);
  x->server.set_read_timeout(2, 0);
  // A client that stops reading gives its thread back (its stream ends; a browser
  // resumes after the last event it got), and stop() waits for no one longer.
  x->server.set_write_timeout(2, 0);
  auto* self = x.get();
  x->server.set_pre_routing_handler([self](const httplib::Request& req,
                                           httplib::Response& res) {
    if (req.method != "GET" && req.method != "HEAD") {
      res.set_header("Allow", "GET, HEAD");
      fail(res, 405, req.method + " " + req.path + ": only GET and HEAD are served");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!self->host_allowed(req.get_header_value("Host"))) {
      fail(res, 421,
           "Host \"" + req.get_header_value("Host") +
               "\": expected this server's own address (a page of another "
               "site may not read the fleet)");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  x->routes();
  int port = opts.port == 0 ? x->server.bind_to_any_port(opts.address)
                            : (x->server.bind_to_port(opts.address, opts.port)
                                   ? static_cast<int>(opts.port)
                                   : -1);
  if (port <= 0)
    return make_error(errc::invalid_request,
                      "http listen address " + opts.address + ":" +
                          std::to_string(opts.port),
                      std::string{"an address of this host and a free port"},
                      std::string{"cannot listen there"});
  x->port = static_cast<uint16_t>(port);
  auto* server = &x->server;
  x->thread = std::thread{[server] {
    server->listen_after_bind();
  }};
  // Running before it is handed out: httplib's stop() does nothing to a server that
  // has not started its loop yet, which would then run (and a join wait) for ever.
  for (int i = 0; i < 5000 && !server->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  std::unique_ptr<http_server> result{new http_server{std::move(x)}};
  log()->info("http: serving the dashboard, /metrics, /api and /events on {}",
              result->url());
  return result;
}

http_server::http_server(std::unique_ptr<impl> x) : impl_(std::move(x)) {}

http_server::~http_server() {
  stop();
}

uint16_t http_server::port() const noexcept {
  return impl_->port;
}

std::string http_server::url() const {
  auto& a = impl_->opts.address;
  auto host = a.find(':') != std::string::npos ? "[" + a + "]" : a; // IPv6
  return "http://" + host + ":" + std::to_string(impl_->port);
}

void http_server::stop() {
  if (!impl_)
    return;
  std::lock_guard<std::mutex> guard{impl_->stop_mtx}; // two threads may stop it
  if (!impl_->thread.joinable())
    return;
  impl_->stopping = true; // open streams end within their next wait (250 ms)
  impl_->server.stop();
  impl_->thread.join();
}

} // namespace vigil
