// The one shape of vigil's enum <-> word tables: per enum, a constexpr array of
// {value, word} in the enum's order, and the two lookups below over it. Words travel
// in JSON, logs and store rows, so a table's words never change once released.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil::detail {

template <class Enum>
struct word {
  Enum value;
  const char* text;
};

/// Whether `xs` lists its enum's values in order from 0 (what `word_of` relies on);
/// each table checks it with a `static_assert`.
template <class Enum, size_t N>
constexpr bool in_enum_order(const word<Enum> (&xs)[N]) noexcept {
  for (size_t i = 0; i < N; ++i)
    if (static_cast<size_t>(xs[i].value) != i)
      return false;
  return true;
}

/// The word of `x`, or `type(N)` for a value outside the table (an enum read
/// unchecked from a peer), so that a log line shows what came.
template <class Enum, size_t N>
std::string word_of(const word<Enum> (&xs)[N], Enum x, const char* type) {
  auto i = static_cast<size_t>(x);
  if (i < N)
    return xs[i].text;
  return std::string{type} + "(" + std::to_string(i) + ")";
}

/// The value whose word is `text`; false (and `x` unchanged) for no such word.
template <class Enum, size_t N>
bool value_of(const word<Enum> (&xs)[N], std::string_view text, Enum& x) noexcept {
  for (auto& w : xs) {
    if (text == w.text) {
      x = w.value;
      return true;
    }
  }
  return false;
}

} // namespace vigil::detail
