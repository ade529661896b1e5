// `open_store`: the store the settings name, behind the seam (DESIGN §10).
#include "vigil/stores/fleet_store.hpp"

#include "redis_store.hpp"
#include "sqlite_store.hpp"
#include "vigil/messages/errc.hpp"

namespace vigil {

caf::expected<std::shared_ptr<fleet_store>> open_store(const store_settings& cfg) {
  switch (cfg.kind) {
  case store_kind::none:
    return std::shared_ptr<fleet_store>{};
  case store_kind::sqlite:
    return detail::open_sqlite_store(cfg);
  case store_kind::redis:
    return detail::open_redis_store(cfg);
  }
  return std::shared_ptr<fleet_store>{};
}

} // namespace vigil
