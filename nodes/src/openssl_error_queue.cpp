// A workaround for CAF 0.17.6 with OpenSSL 3: CAF's TLS sessions
// (libcaf_openssl/src/openssl/session.cpp) never clear OpenSSL's per-thread error
// queue before an SSL call, and drain it only in log statements that Debian's build
// compiles out. One TLS connection that fails or closes (a peer that exits, a
// certificate the CA did not sign) leaves an error on the multiplexer thread; the next
// SSL_read of another, healthy connection then reports that error as its own and CAF
// drops it. Measured: every `vigil-node status` over TLS cut the agents' connection.
// Upstream fixed it later by calling ERR_clear_error() before each call (CAF commit
// 2815cf2, "Fix error handling in OpenSSL wrapper", in libcaf_net).
//
// We do the same at the symbol boundary: these definitions come first in the dynamic
// linker's lookup, so libcaf_openssl's calls reach them; each clears the queue, as
// OpenSSL's documentation requires before an I/O call, and calls OpenSSL's own.
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>

struct ssl_st; // OpenSSL's SSL, opaque here: no OpenSSL headers needed

namespace {

template <class F>
F next(const char* name) {
  auto f = dlsym(RTLD_NEXT, name);
  if (!f) // libssl not after us in the lookup order: ask it by name
    if (auto ssl = dlopen("libssl.so.3", RTLD_NOW | RTLD_NOLOAD))
      f = dlsym(ssl, name);
  if (!f) {
    std::fprintf(stderr, "vigil: cannot find OpenSSL's %s\n", name);
    std::abort();
  }
  return reinterpret_cast<F>(f);
}

void clear_error_queue() {
  using clear_fn = void (*)();
  static auto clear =
      reinterpret_cast<clear_fn>(dlsym(RTLD_DEFAULT, "ERR_clear_error"));
  if (clear)
    clear();
}

} // namespace

extern "C" {

int SSL_read(ssl_st* ssl, void* buf, int num) {
  static auto real = next<int (*)(ssl_st*, void*, int)>("SSL_read");
  clear_error_queue();
  return real(ssl, buf, num);
}

int SSL_write(ssl_st* ssl, const void* buf, int num) {
  static auto real = next<int (*)(ssl_st*, const void*, int)>("SSL_write");
  clear_error_queue();
  return real(ssl, buf, num);
}

int SSL_connect(ssl_st* ssl) {
  static auto real = next<int (*)(ssl_st*)>("SSL_connect");
  clear_error_queue();
  return real(ssl);
}

int SSL_accept(ssl_st* ssl) {
  static auto real = next<int (*)(ssl_st*)>("SSL_accept");
  clear_error_queue();
  return real(ssl);
}

} // extern "C"

namespace vigil::detail {

/// Referenced by `configure_node`, so that every program configuring a node links
/// this file.
void keep_openssl_error_queue_fix() {}

} // namespace vigil::detail
