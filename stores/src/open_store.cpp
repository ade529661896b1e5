// `open_store`: the store the settings name, behind the seam (DESIGN §10). The kinds
// are the ones whose component the program links (store_opener.hpp).
#include "vigil/stores/fleet_store.hpp"

#include <array>
#include <string>

#include "vigil/messages/errc.hpp"
#include "vigil/stores/store_opener.hpp"

namespace vigil {

namespace {

constexpr size_t kinds = static_cast<size_t>(store_kind::redis) + 1; // the last kind

/// One opener per kind; filled while the program starts (static initialisation, in
/// any order, hence a function-local static) and only read after.
std::array<store_opener, kinds>& openers() noexcept {
  static std::array<store_opener, kinds> xs{};
  return xs;
}

/// Where the opener of a kind comes from, for the error that says what to link.
struct component {
  const char* title;
  const char* name;
};

component component_of(store_kind kind) {
  if (kind == store_kind::redis)
    return {"Redis", "redis"};
  return {"SQLite", "sqlite"};
}

} // namespace

void register_store_opener(store_kind kind, store_opener open) noexcept {
  if (auto index = static_cast<size_t>(kind); index < kinds)
    openers()[index] = open;
}

caf::expected<std::shared_ptr<fleet_store>> open_store(const store_settings& cfg) {
  if (cfg.kind == store_kind::none)
    return std::shared_ptr<fleet_store>{};
  auto index = static_cast<size_t>(cfg.kind);
  if (index < kinds)
    if (auto open = openers()[index])
      return open(cfg);
  auto c = component_of(cfg.kind);
  return make_error(errc::bad_config,
                    "store.kind is \"" + to_string(cfg.kind) +
                        "\", but this program has no " + c.title + " store",
                    "link vigil::" + std::string{c.name} +
                        " (find_package(vigil COMPONENTS " + c.name + "))");
}

} // namespace vigil
