// Fuzz harness: settings files (`read_settings`), the JSON a person writes for a node.
// A problem value is the expected answer to bad input; an exception escaping, a
// crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/config/settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  vigil::config_problem why;
  auto x = vigil::read_settings(text, "fuzz.json", why);
  if (!x) {
    (void)to_string(why); // the line a person reads must render too
    return 0;
  }
  // Settings read back must be usable: a type's view of them, and a second layer.
  for (auto& kv : x->supervisor.types) {
    (void)x->agent_for(kv.first);
    (void)x->supervisor.resolved(kv.first);
  }
  vigil::config_problem why2;
  (void)vigil::read_settings(text, "fuzz.json", why2, *x);
  return 0;
}
