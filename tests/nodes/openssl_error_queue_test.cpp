// The OpenSSL error-queue fix in a program that loads no OpenSSL: the calls it
// replaces fail the way OpenSSL reports a failed I/O call, and the program lives on.
#include <cerrno>

#include <dlfcn.h>
#include <gtest/gtest.h>

struct ssl_st;

extern "C" {
int SSL_read(ssl_st* ssl, void* buf, int num);
int SSL_write(ssl_st* ssl, const void* buf, int num);
int SSL_connect(ssl_st* ssl);
int SSL_accept(ssl_st* ssl);
}

TEST(OpensslErrorQueueFix, WithoutOpensslEveryCallFailsAndNothingAborts) {
  if (dlsym(RTLD_NEXT, "SSL_read") != nullptr)
    GTEST_SKIP() << "OpenSSL is loaded into this test program after all";
  char buf[8] = {};
  for (int round = 0; round < 2; ++round) { // said once, failed every time
    errno = 0;
    EXPECT_EQ(SSL_read(nullptr, buf, sizeof buf), -1);
    EXPECT_EQ(errno, ENOSYS);
    errno = 0;
    EXPECT_EQ(SSL_write(nullptr, buf, sizeof buf), -1);
    EXPECT_EQ(errno, ENOSYS);
    EXPECT_EQ(SSL_connect(nullptr), -1);
    EXPECT_EQ(SSL_accept(nullptr), -1);
  }
}
