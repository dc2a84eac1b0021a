/* New TLS connections per second against one server, for bench/tls_run.sh: each connection is a
 * TCP connect, a TLS handshake (full, or resuming the session the previous connection got with
 * "resume"), one "GET PATH HTTP/1.1" with "Connection: close", the response read to its end, close.
 *
 *   handshakes PORT PATH SECONDS full|resume    prints "<connections> <seconds> <resumed>"
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s PORT PATH SECONDS full|resume\n", argv[0]);
        return 2;
    }
    const int port = atoi(argv[1]);
    const double seconds = atof(argv[3]);
    const int resume = strcmp(argv[4], "resume") == 0;
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);  /* sessions are passed by hand */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);   /* a close without close_notify is an end */
    char request[512];
    snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", argv[2]);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    SSL_SESSION* session = NULL;
    long connections = 0, resumed = 0, failures = 0;
    char buf[16384];
    const double start = now();
    double elapsed = 0;
    while ((elapsed = now() - start) < seconds) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) {
            close(fd);
            if (++failures > 100) break;
            continue;
        }
        SSL* ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        if (resume && session) SSL_set_session(ssl, session);
        int ok = SSL_connect(ssl) == 1 && SSL_write(ssl, request, (int)strlen(request)) > 0;
        while (ok && SSL_read(ssl, buf, sizeof buf) > 0) {}
        if (ok) {
            ++connections;
            if (SSL_session_reused(ssl)) ++resumed;
            if (resume) {
                /* TLS 1.3: the ticket came after the handshake, with the response. */
                SSL_SESSION* got = SSL_get1_session(ssl);
                if (got) {
                    if (session) SSL_SESSION_free(session);
                    session = got;
                }
            }
        } else if (++failures > 100) {
            SSL_free(ssl);
            close(fd);
            break;
        }
        SSL_shutdown(ssl);
        SSL_free(ssl);
        close(fd);
    }
    printf("%ld %.3f %ld\n", connections, elapsed, resumed);
    return failures > 100 ? 1 : 0;
}
