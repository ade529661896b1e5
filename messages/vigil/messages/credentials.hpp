// Secrets that cross process boundaries (DESIGN §11): an agent's per-life token, a
// commander's or a node's credential, and the digests a supervisor keeps of them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <caf/detail/stringification_inspector.hpp>
#include <caf/meta/type_name.hpp>

namespace vigil {

/// A random 128-bit secret naming one life of an agent: handed out with the
/// `registration_ack`, carried by everything the agent sends, and shown again to take
/// the id back after a reconnect or a supervisor restart. All zero: none.
struct life_token {
  uint64_t hi = 0;
  uint64_t lo = 0;

  bool empty() const noexcept { return hi == 0 && lo == 0; }
};

/// A bearer secret a person configures: a commander's credential, a node's key.
struct credential {
  std::string secret;

  bool empty() const noexcept { return secret.empty(); }
};

/// Secrets never appear in logs: CAF's `deep_to_string` (and so its own logging of
/// messages) prints this instead.
inline const char* redacted(bool empty) {
  return empty ? "<none>" : "<redacted>";
}

/// Whether an inspector prints (where a secret field is shown as `redacted`).
template <class Inspector>
constexpr bool is_printing_v =
    std::is_same_v<Inspector, caf::detail::stringification_inspector>;

/// @relates life_token
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, life_token& x) {
  if constexpr (is_printing_v<Inspector>) {
    std::string text = redacted(x.empty());
    return f(caf::meta::type_name("vigil.life_token"), text);
  } else {
    return f(caf::meta::type_name("vigil.life_token"), x.hi, x.lo);
  }
}

/// @relates credential
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credential& x) {
  if constexpr (is_printing_v<Inspector>) {
    std::string text = redacted(x.empty());
    return f(caf::meta::type_name("vigil.credential"), text);
  } else {
    return f(caf::meta::type_name("vigil.credential"), x.secret);
  }
}

/// What a supervisor keeps of a secret: the first 128 bits of its SHA-256, so that a
/// leaked record or store does not give the secret away. All zero: none.
struct secret_digest {
  std::array<uint8_t, 16> bytes{};

  bool empty() const noexcept;
};

/// A fresh token from the kernel's random source (getrandom).
life_token make_life_token();

/// A fresh random number from the kernel's random source.
uint64_t random_u64();

/// SHA-256 of the token's 16 bytes, truncated.
secret_digest digest_of(const life_token& x);

/// SHA-256 of the secret, truncated. An empty secret has the empty digest.
secret_digest digest_of(std::string_view secret);

/// Whether two digests are equal, in time that does not depend on where they differ.
/// An empty digest matches nothing.
bool matches(const secret_digest& x, const secret_digest& y) noexcept;

/// 64 bits compared the same way (a beat secret); zero (none) matches nothing.
bool matches(uint64_t x, uint64_t y) noexcept;

/// 32 lowercase hex digits ("" for the empty digest): how stores keep it.
std::string to_hex(const secret_digest& x);

/// Reads `to_hex`'s text; the empty string gives the empty digest. False on anything
/// else.
bool from_hex(std::string_view text, secret_digest& x);

} // namespace vigil
