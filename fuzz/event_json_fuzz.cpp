// Fuzz harness: the event codec (messages/src/event_json.cpp), which stores, vigil-sim
// and subscribers write and read back. Decoding refuses input only by returning none
// with a problem that names a field or the line (it throws nothing); an event that
// decodes must encode to a line that decodes to the same event and encodes to the same
// line. When the codec changes, change this harness with it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vigil/messages/event_json.hpp"

namespace {

// The Unix epoch on a clock started at boot, as `unix_origin` gives it: times from it
// may overflow the clock, which the decoder must refuse rather than wrap.
const auto origin = vigil::time_point{} - std::chrono::seconds{1'795'000'000};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  vigil::event_json_problem why;
  auto e = vigil::parse_event_line(text, origin, why);
  if (!e) {
    if (why.expected.empty() || why.found.empty())
      std::abort(); // a refusal says what was expected and what was found
    return 0;
  }
  auto line = vigil::event_line(*e, origin);
  auto back = vigil::parse_event_line(line, origin, why); // must decode
  if (!back || *back != *e || vigil::event_line(*back, origin) != line)
    std::abort();
  return 0;
}
