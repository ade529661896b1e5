// vigil-node supervise: a supervisor published on a port.
#include <cstdio>
#include <filesystem>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "cli.hpp"
#include "vigil/nodes/publish.hpp"
#include "vigil/supervisors/supervisor.hpp"
#include "vigil/web/http_server.hpp"

namespace vigil::node {

int run_supervise(const cli& x, settings& s, caf::actor_system& sys) {
  auto& store = s.supervisor.store;
  if (store.kind == store_kind::none && !x.no_store) {
    // The default record: SQLite in the state directory.
    std::error_code ec;
    std::filesystem::create_directories(x.state_dir, ec);
    if (ec) {
      std::fprintf(stderr, "vigil-node: cannot create the state directory %s: %s\n",
                   x.state_dir.c_str(), ec.message().c_str());
      return 2;
    }
    store.kind = store_kind::sqlite;
    store.path = x.state_dir + "/fleet.db";
  }
  auto commander = commander_credential(x);
  if (!commander)
    return 2;
  auto sup = spawn_supervisor(sys, s.supervisor);
  if (!sup) {
    std::fprintf(stderr, "vigil-node: %s\n", sys.render(sup.error()).c_str());
    return 2;
  }
  auto beat = connection_heartbeat_for(s.supervisor.heartbeat);
  gate_options gate;
  gate.commander = *commander;
  gate.keepalive = beat.interval; // nodes send at least this often
  auto port = publish_supervisor(sys, *sup, x.port, x.bind, gate);
  if (!port) {
    std::fprintf(stderr, "vigil-node: cannot listen on port %u: %s\n", x.port,
                 sys.render(port.error()).c_str());
    caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
    return 1;
  }
  if (!is_loopback(x.bind) && !x.tls.enabled())
    std::fprintf(
        stderr,
        "vigil-node: WARNING: listening on %s WITHOUT TLS: every peer that can "
        "reach this address can register agents and read the fleet, and "
        "credentials (commander, node keys) and life tokens travel in the "
        "clear. Use --tls-cert/--tls-key/--tls-ca (README, Security).\n",
        x.bind.c_str());
  if (commander->empty())
    std::fprintf(stderr, "vigil-node: no commander credential configured "
                         "(--commander-key FILE or $VIGIL_COMMANDER_KEY): kill, pause "
                         "and resume are refused\n");
  std::printf("vigil-node: supervising on port %u at %s%s (connection heartbeat every "
              "%s, timeout %s), commands %s, record: %s\n",
              *port, x.bind.empty() ? "127.0.0.1" : x.bind.c_str(),
              x.tls.enabled() ? " with TLS" : "",
              format_duration(beat.interval).c_str(),
              format_duration(beat.timeout).c_str(),
              commander->empty() ? "refused (no commander credential)" : "enabled",
              store.kind == store_kind::none     ? "none"
              : store.kind == store_kind::sqlite ? store.path.c_str()
                                                 : store.url.c_str());
  std::unique_ptr<http_server> http;
  if (!x.http.empty()) {
    http_options o;
    o.address = x.http_address;
    o.port = x.http_port;
    auto started = http_server::start(sys, *sup, o);
    if (!started) {
      std::fprintf(stderr, "vigil-node: --http %s: %s\n", x.http.c_str(),
                   sys.render(started.error()).c_str());
      caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
      return 1;
    }
    http = std::move(*started);
    if (!is_loopback(o.address))
      std::fprintf(
          stderr,
          "vigil-node: WARNING: HTTP on %s: everyone who can reach it reads the "
          "fleet (no TLS, no credential; put a proxy with both in front)\n",
          o.address.c_str());
    std::printf("vigil-node: HTTP on %s (/metrics)\n", http->url().c_str());
  }
  std::fflush(stdout);
  wait_for_stop();
  if (http)
    http->stop(); // no scrape of a supervisor that is going
  std::printf("vigil-node: stopping the supervisor\n");
  std::fflush(stdout);
  // Close the port first: nobody should connect to a supervisor that is going.
  auto mm = sys.has_openssl_manager() ? sys.openssl_manager().actor_handle()
                                      : sys.middleman().actor_handle();
  caf::scoped_actor self{sys};
  self->request(mm, std::chrono::seconds(5), caf::close_atom::value, *port)
      .receive([] {}, [](caf::error&) {});
  // In order: the supervisor hands every event to its store and waits until they are
  // committed, then ends (its stop_atom; a plain exit could leave the last batch).
  self->request(*sup, std::chrono::minutes(1), stop_atom::value)
      .receive(
          [](supervisor_stats& x) {
            std::printf("vigil-node: stopped: events up to seq %llu, %llu in the "
                        "record, %llu dropped\n",
                        static_cast<unsigned long long>(x.last_seq),
                        static_cast<unsigned long long>(x.store_committed_seq),
                        static_cast<unsigned long long>(x.store_dropped));
          },
          [&](caf::error& err) {
            std::fprintf(stderr,
                         "vigil-node: the supervisor did not stop in order: %s\n",
                         sys.render(err).c_str());
            caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
          });
  return 0;
}

} // namespace vigil::node
