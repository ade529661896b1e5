// Interned names: one copy per distinct value, for fields a whole fleet shares.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil {

/// A counted reference to the one process-wide copy of a name: for a value a million
/// records share (an agent's type, its node), 8 B where a string is 32. Two references
/// to equal text point to the same copy; the copy is freed with its last reference, so
/// names that peers chose (and that churn) do not accumulate (DESIGN §14). Thread-safe.
class interned_name {
public:
  interned_name() noexcept = default; ///< Null.
  explicit interned_name(std::string_view x);
  interned_name(const interned_name& other) noexcept;
  interned_name(interned_name&& other) noexcept : entry_(other.entry_) {
    other.entry_ = nullptr;
  }
  interned_name& operator=(interned_name other) noexcept {
    std::swap(entry_, other.entry_);
    return *this;
  }
  ~interned_name();

  /// The text; only when not null.
  const std::string& operator*() const noexcept { return *get(); }
  const std::string* operator->() const noexcept { return get(); }
  /// The shared copy (null when null): equal text, equal pointer, while referenced.
  const std::string* get() const noexcept;
  explicit operator bool() const noexcept { return entry_ != nullptr; }

  friend bool operator==(const interned_name& x, const interned_name& y) noexcept {
    return x.entry_ == y.entry_;
  }
  friend bool operator!=(const interned_name& x, const interned_name& y) noexcept {
    return x.entry_ != y.entry_;
  }

  struct entry;

private:
  entry* entry_ = nullptr;
};

/// The text of `x`; empty when it is null.
inline std::string text_of(const interned_name& x) {
  return x ? *x : std::string{};
}

/// The shared copy of `x` if one is referenced now, else null: a lookup that adds
/// nothing (for names a peer sends before they are accepted).
const std::string* find_interned(std::string_view x);

/// How many distinct names are referenced now.
size_t interned_names();

} // namespace vigil
