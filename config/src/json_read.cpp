#include "vigil/config/json_read.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>

namespace vigil::json_read {

namespace json = boost::json;

bool read_file(const std::string& path, std::string& text, config_problem& why) {
  std::ifstream in{path};
  if (!in) {
    why = {};
    why.code = config_errc::unreadable;
    why.file = path;
    why.expected = "a readable file";
    why.found = "none could be opened";
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  text = buf.str();
  return true;
}

std::string member(const std::string& pointer, std::string_view key) {
  std::string result = pointer + "/";
  for (auto c : key) {
    if (c == '~')
      result += "~0";
    else if (c == '/')
      result += "~1";
    else
      result += c;
  }
  return result;
}

std::string element(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

void fail(config_errc code, const std::string& pointer, std::string expected,
          std::string found) {
  config_problem p;
  p.code = code;
  p.pointer = pointer; // RFC 6901: "" is the whole document
  p.expected = std::move(expected);
  p.found = std::move(found);
  throw json_read_error{std::move(p)};
}

void fail(config_errc code, const std::string& pointer, std::string expected,
          const json::value& found) {
  auto text = json::serialize(found);
  if (text.size() > 60)
    text = text.substr(0, 57) + "...";
  fail(code, pointer, std::move(expected), std::move(text));
}

json::value parse(std::string_view text) {
  json::stream_parser p;
  boost::system::error_code ec;
  auto consumed = p.write_some(text.data(), text.size(), ec);
  if (!ec)
    p.finish(ec);
  if (ec) {
    // The parser stops where the text stops making sense: report that position.
    config_problem problem;
    problem.code = config_errc::syntax;
    problem.line = 1;
    problem.column = 1;
    for (size_t i = 0; i < consumed && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++problem.line;
        problem.column = 1;
      } else {
        ++problem.column;
      }
    }
    problem.expected = "valid JSON";
    problem.found = ec.message();
    throw json_read_error{std::move(problem)};
  }
  return p.release();
}

const json::object& object(const json::value& v, const std::string& pointer) {
  if (!v.is_object())
    fail(config_errc::wrong_type, pointer, "an object", v);
  return v.get_object();
}

const json::array& array(const json::value& v, const std::string& pointer) {
  if (!v.is_array())
    fail(config_errc::wrong_type, pointer, "an array", v);
  return v.get_array();
}

std::string string(const json::value& v, const std::string& pointer) {
  if (!v.is_string())
    fail(config_errc::wrong_type, pointer, "a string", v);
  return std::string{v.get_string()};
}

int64_t integer(const json::value& v, const std::string& pointer, int64_t min,
                int64_t max) {
  auto expected =
      "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  int64_t x = 0;
  if (v.is_int64())
    x = v.get_int64();
  else if (v.is_uint64() &&
           v.get_uint64() <= uint64_t(std::numeric_limits<int64_t>::max()))
    x = static_cast<int64_t>(v.get_uint64());
  else
    fail(config_errc::wrong_type, pointer, expected, v);
  if (x < min || x > max)
    fail(config_errc::bad_value, pointer, expected, v);
  return x;
}

double number(const json::value& v, const std::string& pointer,
              const std::string& expected) {
  if (v.is_double())
    return v.get_double();
  if (v.is_int64())
    return static_cast<double>(v.get_int64());
  if (v.is_uint64())
    return static_cast<double>(v.get_uint64());
  fail(config_errc::wrong_type, pointer, expected, v);
}

namespace {

// Durations are parsed exactly, in whole nanoseconds, with 128-bit intermediates: a
// duration finer than 1 ns or beyond what 64 bits of nanoseconds hold (~292 years) is
// refused, never rounded, and no digit string can overflow or throw.
using wide = unsigned __int128;
constexpr wide max_ns = static_cast<wide>(std::numeric_limits<int64_t>::max());

// One "<number><unit>" segment at the front of `text`, added to `ns`; consumes it.
bool segment(std::string_view& text, wide& ns) {
  size_t i = 0;
  while (i < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  auto number = text.substr(0, i);
  if (number.empty() || number.front() == '.' || number.back() == '.' ||
      number.find('.') != number.rfind('.'))
    return false;
  size_t j = i;
  while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j])))
    ++j;
  auto unit = text.substr(i, j - i);
  uint64_t factor = 0;
  if (unit == "ns")
    factor = 1;
  else if (unit == "us")
    factor = 1'000;
  else if (unit == "ms")
    factor = 1'000'000;
  else if (unit == "s")
    factor = 1'000'000'000;
  else if (unit == "m")
    factor = 60'000'000'000;
  else if (unit == "h")
    factor = 3'600'000'000'000;
  else if (unit == "d")
    factor = 86'400'000'000'000;
  else
    return false;
  auto dot = number.find('.');
  auto whole = number.substr(0, dot);
  auto fraction =
      dot == std::string_view::npos ? std::string_view{} : number.substr(dot + 1);
  while (!fraction.empty() && fraction.back() == '0') // "1.500s" is "1.5s"
    fraction.remove_suffix(1);
  wide value = 0;
  for (char c : whole) {
    value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > max_ns)
      return false;
  }
  value *= factor;
  if (value > max_ns || fraction.size() > 20) // 20 digits: finer than any unit's ns
    return false;
  wide part = 0;
  wide scale = 1;
  for (char c : fraction) {
    part = part * 10 + static_cast<unsigned>(c - '0');
    scale *= 10;
  }
  part *= factor; // < 10^20 * 8.64e13: fits 128 bits
  if (part % scale != 0)
    return false; // finer than 1 ns
  ns += value + part / scale;
  if (ns > max_ns)
    return false;
  text.remove_prefix(j);
  return true;
}

} // namespace

bool parse_duration(std::string_view text, duration& result) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative)
    text.remove_prefix(1);
  if (text.empty())
    return false;
  wide ns = 0;
  while (!text.empty()) // "1h30m" is 1h plus 30m
    if (!segment(text, ns))
      return false;
  auto n = static_cast<int64_t>(ns);
  result = duration{negative ? -n : n};
  return true;
}

duration duration_of(const json::value& v, const std::string& pointer, bool positive) {
  const char* expected = positive ? "a positive duration such as \"30s\""
                                  : "a duration of 0s or more, such as \"30s\"";
  if (!v.is_string())
    fail(config_errc::wrong_type, pointer, expected, v);
  duration x{0};
  if (!parse_duration(v.get_string(), x))
    fail(config_errc::bad_value, pointer, expected, v);
  if (positive ? x <= duration::zero() : x < duration::zero())
    fail(config_errc::bad_value, pointer, expected, v);
  return x;
}

std::optional<duration> optional_duration(const json::value& v,
                                          const std::string& pointer, bool positive) {
  if (v.is_null())
    return std::nullopt;
  if (!v.is_string())
    fail(config_errc::wrong_type, pointer,
         std::string{positive ? "a positive duration" : "a duration of 0s or more,"} +
             " such as \"30s\", or null for off",
         v);
  return duration_of(v, pointer, positive);
}

void only_keys(const json::object& obj, const std::string& pointer,
               std::initializer_list<std::string_view> allowed) {
  for (auto& kv : obj) {
    bool known = false;
    for (auto a : allowed)
      known = known || kv.key() == a;
    if (known)
      continue;
    std::string list;
    for (auto a : allowed)
      list += (list.empty() ? "" : ", ") + std::string{a};
    fail(config_errc::unknown_key, member(pointer, kv.key()), "one of the keys " + list,
         "unknown key \"" + std::string{kv.key()} + "\"");
  }
}

} // namespace vigil::json_read
