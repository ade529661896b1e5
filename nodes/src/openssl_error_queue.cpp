// A workaround for CAF 0.17.6 with OpenSSL 3 that a program opts into by linking
// `vigil::openssl_error_queue_fix` (vigil-node does; the library `vigil::nodes` does
// not contain it: a library must not replace its host's OpenSSL calls behind its back).
//
// CAF's TLS sessions (libcaf_openssl/src/openssl/session.cpp) never clear OpenSSL's
// per-thread error queue before an SSL call, and drain it only in log statements that
// Debian's build compiles out. One TLS connection that fails or closes (a peer that
// exits, a certificate the CA did not sign) leaves an error on the multiplexer thread;
// the next SSL_read of another, healthy connection then reports that error as its own
// and CAF drops it. Measured: every `vigil-node status` over TLS cut the agents'
// connection. Upstream fixed it later by calling ERR_clear_error() before each call
// (CAF commit 2815cf2, "Fix error handling in OpenSSL wrapper", in libcaf_net).
//
// We do the same at the symbol boundary: linked into the program, these definitions
// come first in the dynamic linker's lookup, so libcaf_openssl's calls reach them; each
// clears the queue, as OpenSSL's documentation requires before an I/O call, and calls
// the next definition in the lookup order (OpenSSL's own, whatever its soname). When
// there is none (the object ended up after libssl, say inside a shared library loaded
// later), the call fails the way OpenSSL reports an I/O failure (-1, errno ENOSYS)
// and one line on stderr says why: the connection drops, the host lives on.
#include <cerrno>
#include <cstdio>
#include <dlfcn.h>

struct ssl_st; // OpenSSL's SSL, opaque here: no OpenSSL headers needed

namespace {

/// The next definition of `name` after this object, or null (said on stderr). Each
/// wrapper calls it once, for its function-local static, so a missing function is
/// told once per process.
template <class F>
F next(const char* name) {
  auto f = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  if (!f)
    std::fprintf(stderr,
                 "vigil: the OpenSSL error-queue fix finds no %s after it in the "
                 "symbol lookup order (link vigil::openssl_error_queue_fix into the "
                 "program, not a shared library); these TLS calls fail\n",
                 name);
  return f;
}

void clear_error_queue() {
  using clear_fn = void (*)();
  static auto clear = reinterpret_cast<clear_fn>(dlsym(RTLD_NEXT, "ERR_clear_error"));
  if (clear)
    clear();
}

/// What OpenSSL returns for a failed I/O call with no TLS error queued: `SSL_get_error`
/// then says `SSL_ERROR_SYSCALL`, and the caller reads errno.
int unavailable() {
  errno = ENOSYS;
  return -1;
}

} // namespace

extern "C" {

int SSL_read(ssl_st* ssl, void* buf, int num) {
  static auto real = next<int (*)(ssl_st*, void*, int)>("SSL_read");
  if (!real)
    return unavailable();
  clear_error_queue();
  return real(ssl, buf, num);
}

int SSL_write(ssl_st* ssl, const void* buf, int num) {
  static auto real = next<int (*)(ssl_st*, const void*, int)>("SSL_write");
  if (!real)
    return unavailable();
  clear_error_queue();
  return real(ssl, buf, num);
}

int SSL_connect(ssl_st* ssl) {
  static auto real = next<int (*)(ssl_st*)>("SSL_connect");
  if (!real)
    return unavailable();
  clear_error_queue();
  return real(ssl);
}

int SSL_accept(ssl_st* ssl) {
  static auto real = next<int (*)(ssl_st*)>("SSL_accept");
  if (!real)
    return unavailable();
  clear_error_queue();
  return real(ssl);
}

} // extern "C"
