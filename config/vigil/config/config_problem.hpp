// What is wrong with a file a person wrote: where, what was expected, what was found.
#pragma once

#include <cstdint>
#include <string>

namespace vigil {

/// The kinds of problem a settings or scenario file can have.
enum class config_errc : uint8_t {
  none = 0,
  unreadable,  ///< The file cannot be opened.
  syntax,      ///< Not JSON (line and column are set).
  wrong_type,  ///< A value of the wrong JSON type.
  bad_value,   ///< The right type, but a value that makes no sense.
  unknown_key, ///< A key the format does not have.
  missing_key, ///< A required key is absent.
};

/// @relates config_errc
std::string to_string(config_errc x);

/// One problem, shaped like Boost.JSON's error values: the caller gets it back instead
/// of a result. `to_string` renders the one line a person reads.
struct config_problem {
  config_errc code = config_errc::none;
  std::string file;
  std::string pointer;  ///< RFC 6901, from the file's root, e.g. "/heartbeat/timeout".
  std::string expected; ///< e.g. `a duration such as "30s"`.
  std::string found;    ///< e.g. `30`, or `unknown key "timout"`.
  uint32_t line = 0;    ///< Syntax errors only (1-based).
  uint32_t column = 0;  ///< Syntax errors only (1-based).

  explicit operator bool() const noexcept { return code != config_errc::none; }
};

/// `fleet.json: /heartbeat/timeout: expected a duration such as "30s", found 30`, or
/// for syntax errors `fleet.json:3:17: invalid JSON: expected ..., found ...`.
/// @relates config_problem
std::string to_string(const config_problem& x);

} // namespace vigil
