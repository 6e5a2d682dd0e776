// SPDX-License-Identifier: GPL-2.0-or-later
// An LD_PRELOAD key logger for programs that use OpenSSL but cannot write
// an NSS key log themselves (Squid): every SSL_CTX made or used gets a key
// log callback that appends the lines OpenSSL hands it ("CLIENT_RANDOM ...",
// "CLIENT_HANDSHAKE_TRAFFIC_SECRET ...", ...) to the file named by
// MWG502_KEYLOG.  Used by tests/lab/record.sh only, built there:
//
//   gcc -shared -fPIC -O2 -o keylog-preload.so keylog-preload.c -ldl -lssl
//   MWG502_KEYLOG=/some/file LD_PRELOAD=./keylog-preload.so squid ...
//
// The file is opened for each line (O_APPEND, one write(2) per line), so
// that it works after the program has changed its user: it must exist and
// be writable by that user.  A callback the program set itself is replaced
// (Squid sets none).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void keylog_line(const SSL *ssl, const char *line)
{
    (void)ssl;
    const char *path = getenv("MWG502_KEYLOG");
    if (!path || !*path || !line)
        return;
    size_t n = strlen(line);
    char *buf = malloc(n + 1);
    if (!buf)
        return;
    memcpy(buf, line, n);
    buf[n] = '\n';
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t w = write(fd, buf, n + 1);
        (void)w;
        close(fd);
    }
    free(buf);
}

SSL_CTX *SSL_CTX_new(const SSL_METHOD *method)
{
    static SSL_CTX *(*real)(const SSL_METHOD *);
    if (!real)
        real = (SSL_CTX * (*)(const SSL_METHOD *)) dlsym(RTLD_NEXT, "SSL_CTX_new");
    SSL_CTX *ctx = real ? real(method) : NULL;
    if (ctx)
        SSL_CTX_set_keylog_callback(ctx, keylog_line);
    return ctx;
}

SSL_CTX *SSL_CTX_new_ex(OSSL_LIB_CTX *libctx, const char *propq, const SSL_METHOD *method)
{
    static SSL_CTX *(*real)(OSSL_LIB_CTX *, const char *, const SSL_METHOD *);
    if (!real)
        real = (SSL_CTX * (*)(OSSL_LIB_CTX *, const char *, const SSL_METHOD *)) dlsym(RTLD_NEXT, "SSL_CTX_new_ex");
    SSL_CTX *ctx = real ? real(libctx, propq, method) : NULL;
    if (ctx)
        SSL_CTX_set_keylog_callback(ctx, keylog_line);
    return ctx;
}

// A context made before the library was hooked (or the callback replaced
// later) still logs: the callback is set again on each new connection.
SSL *SSL_new(SSL_CTX *ctx)
{
    static SSL *(*real)(SSL_CTX *);
    if (!real)
        real = (SSL * (*)(SSL_CTX *)) dlsym(RTLD_NEXT, "SSL_new");
    if (ctx && SSL_CTX_get_keylog_callback(ctx) != keylog_line)
        SSL_CTX_set_keylog_callback(ctx, keylog_line);
    return real ? real(ctx) : NULL;
}
