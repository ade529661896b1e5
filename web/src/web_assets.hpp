// The dashboard's files (web/assets/), compiled into the library: nothing to install
// beside the program, nothing fetched from elsewhere.
#pragma once

#include <cstddef>

namespace vigil::detail {

struct web_asset {
  const char* path; ///< "/index.html", "/app.js", ...
  const char* content_type;
  const char* body;
};

extern const web_asset web_assets[];
extern const size_t web_asset_count;

} // namespace vigil::detail
