// Reading JSON that people write, with problems that name the JSON Pointer.
//
// Used by the settings loader and by scenario loaders: each function reads one value at
// `pointer` and throws `json_read_error` (caught at the API boundary and returned as a
// `config_problem`) when it is not what was expected.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "vigil/config/config_problem.hpp"
#include "vigil/messages/time.hpp"

namespace vigil::json_read {

/// Carries a problem out of nested readers; never escapes the loaders.
struct json_read_error {
  config_problem problem;
};

/// The JSON Pointer of member `key` below `pointer` (escapes `~` and `/`).
std::string member(const std::string& pointer, std::string_view key);

/// The JSON Pointer of element `index` below `pointer`.
std::string element(const std::string& pointer, size_t index);

/// Throws a problem at `pointer`; `found` is rendered as compact JSON.
[[noreturn]] void fail(config_errc code, const std::string& pointer,
                       std::string expected, const boost::json::value& found);

/// Throws a problem at `pointer` with a ready-made `found` text.
[[noreturn]] void fail(config_errc code, const std::string& pointer,
                       std::string expected, std::string found);

/// Parses `text` as JSON; syntax errors carry line and column.
boost::json::value parse(std::string_view text);

const boost::json::object& object(const boost::json::value& v,
                                  const std::string& pointer);
const boost::json::array& array(const boost::json::value& v,
                                const std::string& pointer);
std::string string(const boost::json::value& v, const std::string& pointer);
int64_t integer(const boost::json::value& v, const std::string& pointer, int64_t min,
                int64_t max);

/// Any JSON number (`2`, `2.0` and `2e0` alike) as a double; anything else is a
/// `wrong_type` problem that says `expected`. The caller checks the range.
double number(const boost::json::value& v, const std::string& pointer,
              const std::string& expected);

/// A duration written as a string: numbers (integer or decimal) each followed by a unit
/// (`ns`, `us`, `ms`, `s`, `m`, `h`, `d`), e.g. "250ms", "30s", "2m", "5h", "1.5s",
/// "1h30m". With `positive`, zero and negative durations are refused.
duration duration_of(const boost::json::value& v, const std::string& pointer,
                     bool positive = true);

/// Like `duration_of`, but `null` means "off".
std::optional<duration> optional_duration(const boost::json::value& v,
                                          const std::string& pointer,
                                          bool positive = true);

/// Refuses any key of `obj` not in `allowed`, naming the first such key.
void only_keys(const boost::json::object& obj, const std::string& pointer,
               std::initializer_list<std::string_view> allowed);

/// Reads a whole file into `text`; when it cannot be opened, fills `why` (an
/// `unreadable` problem naming `path`) and returns false.
bool read_file(const std::string& path, std::string& text, config_problem& why);

/// Parses a duration text; false when it is not one.
bool parse_duration(std::string_view text, duration& result);

} // namespace vigil::json_read
