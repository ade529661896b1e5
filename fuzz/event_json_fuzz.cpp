// Fuzz harness: the event JSON codec (messages/src/event_json.cpp), which the store and
// subscribers read back. Decoding may refuse input only the documented way
// (`std::invalid_argument`, or Boost's `system_error` for a wrong JSON kind or a number
// out of range); a decoded event must survive encode + decode unchanged. When the codec
// changes, change this harness with it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/system_error.hpp>

#include "vigil/messages/event_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  boost::json::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec)
    return 0;
  vigil::event e;
  try {
    e = boost::json::value_to<vigil::event>(v);
  } catch (const std::invalid_argument&) {
    return 0;
  } catch (const boost::system::system_error&) {
    return 0;
  }
  auto encoded = boost::json::value_from(e);
  auto back = boost::json::value_to<vigil::event>(encoded); // must not throw
  if (back != e || boost::json::value_from(back) != encoded)
    std::abort();
  return 0;
}
