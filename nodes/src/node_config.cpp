#include "vigil/nodes/node_config.hpp"

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/timespan.hpp>

#include "vigil/messages/errc.hpp"
#include "vigil/messages/register_types.hpp"

namespace vigil {

connection_heartbeat connection_heartbeat_for(const heartbeat_settings& hb) {
  using namespace std::chrono_literals;
  auto interval = std::clamp<duration>(hb.interval / 2, 100ms, 5s);
  interval = std::min<duration>(interval, hb.timeout / 2); // below the timeout
  return {interval, hb.timeout};
}

namespace {

caf::error check_tls_file(const char* what, const std::string& path) {
  if (path.empty())
    return make_error(errc::bad_config, std::string{"TLS "} + what,
                      std::string{"is missing: TLS needs a certificate, a key and a "
                                  "CA file"});
  if (!std::ifstream{path})
    return make_error(errc::bad_config, std::string{"TLS "} + what + " " + path,
                      std::string{"cannot be read"});
  return caf::none;
}

} // namespace

caf::error configure_node(caf::actor_system_config& cfg, const heartbeat_settings& hb,
                          const tls_settings& tls) {
  if (auto err = validate(hb))
    return err;
  if (tls.enabled()) {
    for (auto [what, path] :
         {std::pair{"certificate", &tls.certificate}, std::pair{"key", &tls.key},
          std::pair{"CA file", &tls.cafile}})
      if (auto err = check_tls_file(what, *path))
        return err;
  }
  cfg.load<caf::io::middleman>();
  auto beat = connection_heartbeat_for(hb);
  cfg.set("middleman.heartbeat-interval", caf::timespan{beat.interval});
  cfg.set("middleman.connection-timeout", caf::timespan{beat.timeout});
  cfg.set("middleman.app-identifiers", std::vector<std::string>{"vigil"});
  if (tls.enabled()) {
    cfg.load<caf::openssl::manager>();
    // The openssl manager reads the members; the keys keep `cfg` telling the truth.
    cfg.openssl_certificate = tls.certificate;
    cfg.openssl_key = tls.key;
    cfg.openssl_cafile = tls.cafile;
    cfg.set("openssl.certificate", tls.certificate);
    cfg.set("openssl.key", tls.key);
    cfg.set("openssl.cafile", tls.cafile);
  }
  register_types(cfg);
  return caf::none;
}

} // namespace vigil
