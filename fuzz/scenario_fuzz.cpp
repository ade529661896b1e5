// Fuzz harness: vigil-sim scenario files (`read_scenario`), with the default limits a
// person's file gets. A problem value is the expected answer to bad input; an
// exception escaping, a crash, a sanitizer report, a hang or a huge allocation is a
// finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  vigil::config_problem why;
  if (!vigil::sim::read_scenario(text, "fuzz.json", vigil::settings{}, why))
    (void)to_string(why);
  return 0;
}
