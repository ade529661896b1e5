// The HTTP server over a real supervisor (issue 22): `/metrics` answers in the
// exposition format, what it cannot serve is said, and its port is its own.
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>
#include <httplib.h>

#include "vigil/messages/register_types.hpp"
#include "vigil/web/http_server.hpp"
#include "vigil/web/metrics_text.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

struct config : caf::actor_system_config {
  config() {
    register_types(*this);
    set("logger.verbosity", caf::atom("quiet"));
  }
};

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

  config cfg;
  caf::actor_system sys;
  supervisor_actor sup;
};

httplib::Client client_of(const http_server& s) {
  httplib::Client c{"127.0.0.1", s.port()};
  c.set_connection_timeout(5s);
  c.set_read_timeout(10s);
  return c;
}

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
  s->stop();
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
