// Registers the SQLite store with `open_store` while the program starts. The target
// vigil::sqlite makes every program that links it keep this object (it links with
// `--undefined=vigil_sqlite_store_linked`), so no call needs to pull it in.
#include "sqlite_store.hpp"
#include "vigil/stores/store_opener.hpp"

extern "C" {
extern const char vigil_sqlite_store_linked;
const char vigil_sqlite_store_linked = 1;
}

namespace {

const bool registered = [] {
  vigil::register_store_opener(vigil::store_kind::sqlite,
                               &vigil::detail::open_sqlite_store);
  return true;
}();

} // namespace
