// Store throughput (events/s committed straight through the seam, at batch sizes 1,
// 100 and 1000) for SQLite and Redis, and the supervisor's transition throughput with
// each store on, next to no store, in the same run. Prints a table; not a test.
//
//   build/bench/store_bench            # starts its own redis-server on a free port
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <future>
#include <memory>
#include <netinet/in.h>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include "vigil/messages/log.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/stores/fleet_store.hpp"
#include "vigil/supervisors/supervisor.hpp"

extern char** environ;

using namespace vigil;
using clock_type = std::chrono::steady_clock;

namespace {

uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

/// Events as a fleet makes them: registrations, then transitions back and forth.
std::vector<event> workload(size_t n, uint64_t first_seq) {
  std::vector<event> xs;
  xs.reserve(n);
  auto t = time_point{} + std::chrono::hours(1);
  for (size_t i = 0; i < n; ++i) {
    event e;
    e.seq = first_seq + i;
    auto agent = i % 1000;
    e.agent = "agent-" + std::to_string(agent);
    e.type = "worker";
    e.node = "n1";
    e.at = t + std::chrono::milliseconds(i);
    if (i < 1000) {
      e.kind = event_kind::registered;
      e.from = e.to = agent_state::idle;
      e.reason = "registered";
    } else {
      e.kind = event_kind::transition;
      bool busy = (i / 1000) % 2 == 1;
      e.from = busy ? agent_state::idle : agent_state::busy;
      e.to = busy ? agent_state::busy : agent_state::idle;
      e.reason = busy ? "slot:work" : "finished";
    }
    e.version = i / 1000 + 1;
    xs.push_back(std::move(e));
  }
  return xs;
}

double store_rate(const store_settings& cfg, size_t batch, size_t n) {
  auto store = open_store(cfg);
  if (!store || !*store) {
    std::fprintf(stderr, "cannot open %s\n",
                 cfg.path.empty() ? cfg.url.c_str() : cfg.path.c_str());
    return 0;
  }
  auto fleet = (*store)->load();
  auto events = workload(n, fleet ? fleet->last_seq + 1 : 1);
  auto t0 = clock_type::now();
  for (size_t i = 0; i < events.size(); i += batch) {
    std::vector<event> b(events.begin() + static_cast<ptrdiff_t>(i),
                         events.begin() +
                             static_cast<ptrdiff_t>(std::min(i + batch, n)));
    if (auto err = (*store)->commit(b, time_point{}))
      return 0;
  }
  return static_cast<double>(n) /
         std::chrono::duration<double>(clock_type::now() - t0).count();
}

struct bench_config : caf::actor_system_config {
  bench_config() {
    set("scheduler.max-threads", 2);
    register_types(*this);
  }
};

/// Registers `agents` ids, then fires `rounds` transitions for each at once (ordered
/// per id: one sender, one receiver) and counts the answers.
caf::behavior driver(caf::event_based_actor* self, supervisor_actor sup, size_t agents,
                     size_t rounds, std::shared_ptr<std::promise<double>> done) {
  auto registered = std::make_shared<size_t>(0);
  auto answered = std::make_shared<size_t>(0);
  auto tokens = std::make_shared<std::vector<life_token>>(agents);
  auto fire = [=] {
    auto t0 = std::make_shared<clock_type::time_point>(clock_type::now());
    auto total = agents * rounds;
    for (size_t r = 0; r < rounds; ++r)
      for (size_t i = 0; i < agents; ++i) {
        bool busy = r % 2 == 0;
        transition_report rep{"a" + std::to_string(i),
                              (*tokens)[i],
                              busy ? agent_state::idle : agent_state::busy,
                              busy ? agent_state::busy : agent_state::idle,
                              r + 1,
                              "bench",
                              "",
                              caf::none};
        self->request(sup, std::chrono::seconds(60), std::move(rep))
            .then(
                [=] {
                  if (++*answered == total)
                    done->set_value(
                        static_cast<double>(total) /
                        std::chrono::duration<double>(clock_type::now() - *t0).count());
                },
                [](caf::error&) {});
      }
  };
  for (size_t i = 0; i < agents; ++i)
    self->request(
            sup, std::chrono::seconds(60),
            registration{
                "a" + std::to_string(i), "worker", "n1", agent_state::idle, 0, {}, {}})
        .then(
            [=](registration_ack& ack) {
              (*tokens)[i] = ack.token;
              if (++*registered == agents)
                fire();
            },
            [](caf::error&) {});
  return {[](int) {
  }};
}

/// Transitions per second the supervisor takes with `st` as its store, and how long
/// after the last answer the store had committed everything.
std::pair<double, double> supervisor_rate(caf::actor_system& sys, store_settings st,
                                          size_t agents, size_t rounds) {
  supervisor_settings cfg;
  cfg.store = st;
  auto sup = spawn_supervisor(sys, cfg);
  if (!sup)
    return {0, 0};
  auto done = std::make_shared<std::promise<double>>();
  auto rate_future = done->get_future();
  auto d = sys.spawn(driver, *sup, agents, rounds, done);
  auto rate = rate_future.get();
  double catch_up = 0;
  double max_lag = 0;
  caf::scoped_actor self{sys};
  if (st.kind != store_kind::none) {
    auto t1 = clock_type::now();
    for (;;) {
      supervisor_stats s;
      self->request(*sup, std::chrono::seconds(10), stats_atom::value)
          .receive([&](supervisor_stats& x) { s = x; }, [](caf::error&) {});
      if (s.store_pending == 0 && s.store_committed_seq == s.last_seq) {
        max_lag = std::chrono::duration<double>(s.store_max_lag).count();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    catch_up = std::chrono::duration<double>(clock_type::now() - t1).count();
  }
  self->send_exit(d, caf::exit_reason::user_shutdown);
  self->send_exit(*sup, caf::exit_reason::user_shutdown);
  if (st.kind != store_kind::none)
    std::printf("%-44s %11.1f ms\n",
                ("worst event-to-commit lag, " + to_string(st.kind)).c_str(),
                max_lag * 1000);
  return {rate, catch_up};
}

} // namespace

int main() {
  log()->set_level(spdlog::level::warn);
  char tmpl[] = "/tmp/vigil-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto port = free_port();
  std::string port_text = std::to_string(port);
  const char* argv[] = {
      "redis-server", "--port", port_text.c_str(), "--bind", "127.0.0.1",
      "--save",       "",       "--appendonly",    "no",     "--dir",
      dir.c_str(),    nullptr};
  pid_t redis = -1;
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  posix_spawnp(&redis, "redis-server", &quiet, nullptr, const_cast<char**>(argv),
               environ);
  posix_spawn_file_actions_destroy(&quiet);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  std::printf("%-44s %14s\n", "figure", "measured");
  int run = 0;
  for (auto kind : {store_kind::sqlite, store_kind::redis}) {
    for (size_t batch : {size_t{1}, size_t{100}, size_t{1000}}) {
      store_settings cfg;
      cfg.kind = kind;
      cfg.path = dir + "/rate-" + std::to_string(run++) + ".db";
      cfg.url = "redis://127.0.0.1:" + port_text + "/" + std::to_string(run % 16);
      size_t n = batch == 1 ? 5000 : 50000;
      auto rate = store_rate(cfg, batch, n);
      std::printf("%-44s %11.0f ev/s\n",
                  (to_string(kind) + " store, batch " + std::to_string(batch)).c_str(),
                  rate);
    }
  }
  bench_config cfg;
  caf::actor_system sys{cfg};
  const size_t agents = 1000;
  const size_t rounds = 100; // 100,000 transitions
  store_settings none;
  auto [off, unused] = supervisor_rate(sys, none, agents, rounds);
  (void)unused;
  std::printf("%-44s %11.0f tr/s\n", "supervisor transitions, no store", off);
  store_settings sqlite;
  sqlite.kind = store_kind::sqlite;
  sqlite.path = dir + "/supervisor.db";
  auto [on_sqlite, lag_sqlite] = supervisor_rate(sys, sqlite, agents, rounds);
  std::printf("%-44s %11.0f tr/s (%.2f of none; store caught up %.0f ms after)\n",
              "supervisor transitions, sqlite store", on_sqlite, on_sqlite / off,
              lag_sqlite * 1000);
  store_settings rds;
  rds.kind = store_kind::redis;
  rds.url = "redis://127.0.0.1:" + port_text + "/15";
  auto [on_redis, lag_redis] = supervisor_rate(sys, rds, agents, rounds);
  std::printf("%-44s %11.0f tr/s (%.2f of none; store caught up %.0f ms after)\n",
              "supervisor transitions, redis store", on_redis, on_redis / off,
              lag_redis * 1000);
  if (redis > 0) {
    kill(redis, SIGTERM);
    waitpid(redis, nullptr, 0);
  }
  std::string cmd = "rm -rf " + dir;
  return std::system(cmd.c_str()) == 0 ? 0 : 1;
}
