#include "vigil/messages/credentials.hpp"

#include <cstring>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

namespace vigil {

namespace {

void fill_random(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    auto got = getrandom(p, n, 0); // blocks only before the kernel's pool is ready
    if (got < 0)
      throw std::runtime_error("getrandom failed");
    p += got;
    n -= static_cast<size_t>(got);
  }
}

/// A SHA-256 context per thread, fetched once: `EVP_Digest` fetches the algorithm and
/// allocates a context on every call (a third slower, and heap churn per registration).
struct sha256_context {
  sha256_context()
      : md(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx(EVP_MD_CTX_new()) {}
  ~sha256_context() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
  sha256_context(const sha256_context&) = delete;
  sha256_context& operator=(const sha256_context&) = delete;

  EVP_MD* md;
  EVP_MD_CTX* ctx;
};

secret_digest sha256_prefix(const void* data, size_t n) {
  thread_local sha256_context sha;
  unsigned char full[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  secret_digest d;
  if (!sha.md || !sha.ctx || EVP_DigestInit_ex2(sha.ctx, sha.md, nullptr) != 1 ||
      EVP_DigestUpdate(sha.ctx, data, n) != 1 ||
      EVP_DigestFinal_ex(sha.ctx, full, &len) != 1 || len < 16)
    throw std::runtime_error("SHA-256 failed");
  std::memcpy(d.bytes.data(), full, d.bytes.size());
  if (d.empty()) // 2^-128; the empty digest means "none"
    d.bytes[0] = 1;
  return d;
}

} // namespace

bool secret_digest::empty() const noexcept {
  for (auto b : bytes)
    if (b != 0)
      return false;
  return true;
}

life_token make_life_token() {
  life_token x;
  while (x.empty())
    fill_random(&x, sizeof(x));
  return x;
}

uint64_t random_u64() {
  uint64_t x = 0;
  while (x == 0)
    fill_random(&x, sizeof(x));
  return x;
}

secret_digest digest_of(const life_token& x) {
  if (x.empty())
    return {};
  unsigned char raw[16];
  std::memcpy(raw, &x.hi, 8);
  std::memcpy(raw + 8, &x.lo, 8);
  return sha256_prefix(raw, sizeof(raw));
}

secret_digest digest_of(std::string_view secret) {
  if (secret.empty())
    return {};
  return sha256_prefix(secret.data(), secret.size());
}

bool matches(const secret_digest& x, const secret_digest& y) noexcept {
  auto same = CRYPTO_memcmp(x.bytes.data(), y.bytes.data(), x.bytes.size()) == 0;
  return same && !x.empty();
}

bool matches(uint64_t x, uint64_t y) noexcept {
  return CRYPTO_memcmp(&x, &y, sizeof(x)) == 0 && x != 0;
}

std::string to_hex(const secret_digest& x) {
  if (x.empty())
    return {};
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (auto b : x.bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  return out;
}

bool from_hex(std::string_view text, secret_digest& x) {
  x = {};
  if (text.empty())
    return true;
  if (text.size() != 32)
    return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < 16; ++i) {
    auto hi = nibble(text[2 * i]);
    auto lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    x.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

} // namespace vigil
