// The HTTP server over a real supervisor (issue 22): `/metrics` answers in the
// exposition format, what it cannot serve is said, its port is its own, its event
// streams are bounded and resume without a gap. Real threads and sockets: every wait
// is bounded.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>
#include <httplib.h>

#include "real_time_config.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/web/http_server.hpp"
#include "vigil/web/metrics_text.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

class HttpServer : public ::testing::Test {
public:
  HttpServer() : sys(cfg) {
    auto s = spawn_supervisor(sys, supervisor_settings{});
    EXPECT_TRUE(s) << sys.render(s.error());
    sup = *s;
  }
  ~HttpServer() override { caf::anon_send_exit(sup, caf::exit_reason::user_shutdown); }

  std::unique_ptr<http_server> serve(http_options o = {}) {
    o.supervisor_timeout = 2s;
    auto x = http_server::start(sys, sup, o);
    EXPECT_TRUE(x) << sys.render(x.error());
    return x ? std::move(*x) : nullptr;
  }

  vigil::test::real_time_config cfg;
  caf::actor_system sys;
  supervisor_actor sup;
};

httplib::Client client_of(const http_server& s) {
  httplib::Client c{"127.0.0.1", s.port()};
  c.set_connection_timeout(5s);
  c.set_read_timeout(10s);
  return c;
}

/// A raw `GET` on a socket of its own, read as it comes: an `/events` stream stays
/// open for as long as this lives.
class raw_get {
public:
  raw_get(uint16_t port, const std::string& target, const std::string& headers = "") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      return;
    auto req = "GET " + target +
               " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n" +
               headers + "\r\n";
    if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(req.size()))
      close();
  }
  ~raw_get() { close(); }

  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

  /// Reads until `text` holds `what` (true) or 5 s passed or the server closed (false).
  bool read_until(const std::string& what) {
    auto end = std::chrono::steady_clock::now() + 5s;
    while (text.find(what) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (fd_ < 0 || left.count() <= 0 ||
          ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return false;
      char buf[4096];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        return false;
      text.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  std::string text;

private:
  int fd_ = -1;
};

} // namespace

TEST_F(HttpServer, MetricsAnswerInTheExpositionFormat) {
  auto s = serve();
  ASSERT_TRUE(s);
  EXPECT_NE(s->port(), 0);
  EXPECT_EQ(s->url(), "http://127.0.0.1:" + std::to_string(s->port()));
  auto c = client_of(*s);
  auto r = c.Get("/metrics");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), metrics_content_type);
  EXPECT_NE(r->body.find("# TYPE vigil_agents gauge"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("vigil_build_info{version=\""), std::string::npos) << r->body;
  auto none = c.Get("/no-such-page");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
}

TEST_F(HttpServer, ASupervisorThatIsGoneAnswers503AndSaysSo) {
  auto s = serve();
  ASSERT_TRUE(s);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  auto c = client_of(*s);
  auto r = c.Get("/metrics");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("the supervisor did not answer"), std::string::npos)
      << r->body;
}

TEST_F(HttpServer, ATakenPortOrABadAddressIsAnErrorThatNamesIt) {
  auto s = serve();
  ASSERT_TRUE(s);
  http_options again;
  again.port = s->port();
  auto taken = http_server::start(sys, sup, again);
  ASSERT_FALSE(taken);
  EXPECT_NE(sys.render(taken.error()).find("127.0.0.1:" + std::to_string(s->port())),
            std::string::npos)
      << sys.render(taken.error());
  http_options bad;
  bad.address = "256.1.1.1";
  auto nowhere = http_server::start(sys, sup, bad);
  ASSERT_FALSE(nowhere);
  EXPECT_NE(sys.render(nowhere.error()).find("256.1.1.1"), std::string::npos)
      << sys.render(nowhere.error());
}

TEST_F(HttpServer, StopEndsServingAndMayBeCalledTwice) {
  auto s = serve();
  ASSERT_TRUE(s);
  auto port = s->port();
  std::thread other{[&] {
    s->stop();
  }};
  s->stop();
  other.join();
  s->stop();
  httplib::Client c{"127.0.0.1", port};
  c.set_connection_timeout(2s);
  EXPECT_FALSE(c.Get("/metrics"));
}

// Reading only: no body is read, other methods are refused, and a page of another site
// (DNS rebinding: its name resolved to our address) may not read the fleet.
TEST_F(HttpServer, OnlyGetFromThisServersOwnAddressIsServed) {
  auto s = serve();
  ASSERT_TRUE(s);
  auto c = client_of(*s);
  auto post = c.Post("/metrics", std::string(4096, 'x'), "text/plain");
  ASSERT_TRUE(post) << httplib::to_string(post.error());
  EXPECT_TRUE(post->status == 405 || post->status == 413) << post->status;
  auto get = c.Get("/metrics", {{"Host", "evil.example:" + std::to_string(s->port())}});
  ASSERT_TRUE(get) << httplib::to_string(get.error());
  EXPECT_EQ(get->status, 421);
  EXPECT_NE(get->body.find("evil.example"), std::string::npos) << get->body;
  auto local = c.Get("/metrics", {{"Host", "localhost:" + std::to_string(s->port())}});
  ASSERT_TRUE(local);
  EXPECT_EQ(local->status, 200);
}

// At most `max_streams` open streams: one more is answered 503 with Retry-After (so
// browsers left open cannot take every thread), and a stream that closes frees its
// slot once the server notices (its next keepalive write fails).
TEST_F(HttpServer, EventStreamsPastTheBoundAre503UntilOneCloses) {
  http_options o;
  o.max_streams = 2;
  o.threads = 4;
  o.keepalive = 100ms;
  auto s = serve(o);
  ASSERT_TRUE(s);
  raw_get one{s->port(), "/events"};
  raw_get two{s->port(), "/events"};
  ASSERT_TRUE(one.read_until("retry: 5000")) << one.text;
  ASSERT_TRUE(two.read_until("retry: 5000")) << two.text;
  auto c = client_of(*s);
  c.set_read_timeout(3s);
  auto third = c.Get("/events");
  ASSERT_TRUE(third) << httplib::to_string(third.error());
  EXPECT_EQ(third->status, 503);
  EXPECT_EQ(third->get_header_value("Retry-After"), "10");
  EXPECT_NE(third->body.find("2 event streams are open already"), std::string::npos)
      << third->body;
  auto metrics = c.Get("/metrics"); // the threads the bound keeps free
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  one.close();
  bool reopened = false;
  for (int i = 0; i < 50 && !reopened; ++i) {
    raw_get again{s->port(), "/events"};
    reopened = again.read_until("retry: 5000");
    if (!reopened)
      std::this_thread::sleep_for(100ms); // the server has not noticed the close yet
  }
  EXPECT_TRUE(reopened) << "a closed stream's slot was not given back within 5 s";
}

// A resume after `Last-Event-ID` sends every later event in seq order, each with
// `id:` = seq; one the supervisor cannot continue (another start) begins with
// `resync`; a malformed one is refused, naming it.
TEST_F(HttpServer, EventsResumeAfterLastEventIdAndSayResyncWhenTheyCannot) {
  auto s = serve();
  ASSERT_TRUE(s);
  std::vector<agent_actor> agents;
  for (auto id : {"a1", "a2", "a3"}) {
    auto a = spawn_agent(sys, sup, agent_options{id, "coder"});
    ASSERT_TRUE(a) << sys.render(a.error());
    agents.push_back(*a);
  }
  caf::scoped_actor self{sys};
  supervisor_stats st;
  for (int i = 0; i < 100 && st.last_seq < 6; ++i) { // 3 registered, 3 idle
    self->request(sup, 2s, stats_atom::value)
        .receive([&](supervisor_stats& x) { st = x; }, [](caf::error&) {});
    if (st.last_seq < 6)
      std::this_thread::sleep_for(50ms);
  }
  ASSERT_GE(st.last_seq, 6u);
  auto epoch = std::to_string(st.epoch);
  // A stream from now says where now is (its id: what a reconnect resumes after),
  // and the start as text: 64 bits, more than a JavaScript number holds.
  auto last = std::to_string(st.last_seq);
  raw_get fresh{s->port(), "/events"};
  EXPECT_TRUE(fresh.read_until("id: " + last + "\nevent: start\ndata: {\"seq\":" +
                               last + ",\"epoch\":\"" + epoch + "\"}\n\n"))
      << fresh.text;
  auto summary = client_of(*s).Get("/api/summary");
  ASSERT_TRUE(summary);
  EXPECT_NE(summary->body.find("\"epoch\":\"" + epoch + "\""), std::string::npos)
      << summary->body;
  raw_get resumed{s->port(), "/events?epoch=" + epoch, "Last-Event-ID: 2\r\n"};
  ASSERT_TRUE(resumed.read_until("id: " + std::to_string(st.last_seq) + "\n"))
      << resumed.text;
  size_t at = 0;
  for (uint64_t seq = 3; seq <= st.last_seq; ++seq) {
    auto line = "\nid: " + std::to_string(seq) + "\ndata: {";
    auto found = resumed.text.find(line, at);
    ASSERT_NE(found, std::string::npos) << "seq " << seq << " in order:\n"
                                        << resumed.text;
    at = found + line.size();
  }
  EXPECT_EQ(resumed.text.find("\nid: 2\n"), std::string::npos) << resumed.text;
  EXPECT_EQ(resumed.text.find("resync"), std::string::npos) << resumed.text;

  raw_get other{s->port(), "/events?epoch=" + std::to_string(st.epoch + 1),
                "Last-Event-ID: 2\r\n"};
  ASSERT_TRUE(other.read_until("event: resync\n")) << other.text;
  EXPECT_NE(other.text.find("\"epoch\":\"" + epoch + "\""), std::string::npos)
      << other.text;

  auto c = client_of(*s);
  auto bad = c.Get("/events", {{"Last-Event-ID", "seven"}});
  ASSERT_TRUE(bad) << httplib::to_string(bad.error());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(
      bad->body.find(R"(Last-Event-ID: expected an event's seq, found \"seven\")"),
      std::string::npos)
      << bad->body;
  auto bad_epoch = c.Get("/events?epoch=-1");
  ASSERT_TRUE(bad_epoch);
  EXPECT_EQ(bad_epoch->status, 400);
  for (auto& a : agents)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}
