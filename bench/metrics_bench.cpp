// A Prometheus scrape of a large fleet (issue 22): N agents registered (none beating:
// a scrape reads counters, not agents), then `--scrapes` scrapes, each timed twice:
// the supervisor's answer to `metrics_atom` rendered as text, and a whole
// `GET /metrics` over loopback from vigil's HTTP server. Printed: p50 / max of each and
// the size of the text. Target: under 100 ms and 64 KiB at 1,000,000 agents. Then
// the dashboard's listings, which walk the record on the supervisor (O(agents), at
// most two at once): `/api/agents` page 0, a deep page, an id search, one agent's
// detail and `/api/nodes`, each timed `--scrapes` times (no target: the figures say
// what a page of a million costs).
//
//   build/bench/metrics_bench [--agents 1000000] [--scrapes 20]
#include <cstring>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "bench_support.hpp"
#include "vigil/messages/log.hpp"
#include "vigil/web/fleet_collectable.hpp"
#include "vigil/web/http_server.hpp"
#include "vigil/web/metrics_text.hpp"

using namespace vigil;
using namespace vigil::bench;

namespace {

std::string ms_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", x);
  return buf;
}

} // namespace

int main(int argc, char** argv) {
  size_t n = 1000000;
  size_t scrapes = 20;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--agents") == 0 && i + 1 < argc)
      n = std::strtoull(argv[++i], nullptr, 10);
    else if (std::strcmp(argv[i], "--scrapes") == 0 && i + 1 < argc)
      scrapes = std::max<size_t>(1, std::strtoull(argv[++i], nullptr, 10));
  }
  log()->set_level(spdlog::level::warn);
  // Left to `_exit`: tearing the fleet down is no part of the figures.
  auto& cfg = *new bench_config;
  auto& sys = *new caf::actor_system{cfg};
  auto sc = one_hertz_settings();
  sc.heartbeat.timeout = std::chrono::hours(1); // none beats: none goes offline
  auto sup = *spawn_supervisor(sys, sc);
  auto& self = *new caf::scoped_actor{sys};
  auto t0 = wall::now();
  auto fleet = new fleet_record{register_fleet(self, sup, fleet_ids(n))};
  progress("metrics: %zu agents registered in %.1f s", n, seconds_since(t0));
  auto server = http_server::start(sys, sup);
  if (!server) {
    std::fprintf(stderr, "metrics_bench: %s\n", sys.render(server.error()).c_str());
    return 1;
  }
  httplib::Client client{"127.0.0.1", (*server)->port()};
  client.set_read_timeout(std::chrono::seconds(30));
  std::vector<double> direct, over_http;
  size_t bytes = 0;
  for (size_t i = 0; i < scrapes; ++i) {
    auto t = wall::now();
    auto m = fetch_metrics(sys, sup, std::chrono::seconds(30));
    if (!m) {
      std::fprintf(stderr, "metrics_bench: %s\n", sys.render(m.error()).c_str());
      return 1;
    }
    auto text = metrics_text(*m);
    direct.push_back(seconds_since(t) * 1000);
    bytes = text.size();
    t = wall::now();
    auto r = client.Get("/metrics");
    if (!r || r->status != 200) {
      std::fprintf(stderr, "metrics_bench: GET /metrics failed\n");
      return 1;
    }
    over_http.push_back(seconds_since(t) * 1000);
  }
  // The dashboard's listings, over HTTP as the page asks for them.
  struct listing {
    const char* what;
    std::string path;
    std::vector<double> ms;
  };
  std::vector<listing> listings{
      {"GET /api/agents (page 0 of all)", "/api/agents?page=0", {}},
      {"GET /api/agents (page 10,000 of all)", "/api/agents?page=10000", {}},
      {"GET /api/agents?q=agent-99999 (id search)", "/api/agents?q=agent-99999", {}},
      {"GET /api/agents/agent-500000 (detail)", "/api/agents/agent-500000", {}},
      {"GET /api/nodes", "/api/nodes", {}}};
  for (auto& l : listings)
    for (size_t i = 0; i < scrapes; ++i) {
      auto t = wall::now();
      auto r = client.Get(l.path);
      if (!r || r->status != 200) {
        std::fprintf(stderr, "metrics_bench: GET %s failed (%d)\n", l.path.c_str(),
                     r ? r->status : 0);
        return 1;
      }
      l.ms.push_back(seconds_since(t) * 1000);
    }
  (void)fleet;
  auto worst = [](std::vector<double> xs) {
    return *std::max_element(xs.begin(), xs.end());
  };
  std::printf("metrics_bench: a scrape of %s registered agents, %zu times, %s\n\n",
              grouped(static_cast<double>(n)).c_str(), scrapes,
              scheduler_name().c_str());
  std::printf(
      "| figure | target | measured | reference | ratio |\n|---|---|---|---|---|\n");
  auto direct_max = worst(direct);
  auto http_max = worst(over_http);
  row("scrape: metrics_atom + text, p50 / max", "< 100 ms",
      ms_text(quantile(direct, 0.5)) + " / " + ms_text(direct_max), "",
      ratio_text(direct_max / 100));
  row("scrape: GET /metrics over loopback, p50 / max", "< 100 ms",
      ms_text(quantile(over_http, 0.5)) + " / " + ms_text(http_max), "",
      ratio_text(http_max / 100));
  row("scrape size", "< 64 KiB", grouped(static_cast<double>(bytes)) + " B", "",
      ratio_text(static_cast<double>(bytes) / 65536));
  for (auto& l : listings)
    row(std::string{l.what} + ", p50 / max", "",
        ms_text(quantile(l.ms, 0.5)) + " / " + ms_text(worst(l.ms)), "", "");
  std::fflush(stdout);
  _exit(0);
}
