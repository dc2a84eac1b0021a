// One connection's TLS: the SSL object over the connection's socket, and the socket calls the
// connection makes (receive, send, send a file range, peek, shut down) done through it. Results keep
// the socket calls' shape: bytes, 0 for the end of the stream, or -1 with errno (EAGAIN: wait for the
// socket; anything else: the connection is broken). The handshake runs inside the first receives.
//
// Before the handshake, the first byte decides: a TLS handshake starts with a handshake record
// (0x16). Anything else is a plain HTTP client on the HTTPS port; the session then says so
// (plain_http()) and carries plain bytes from then on, so that the connection can answer 400.
#pragma once

#include <openssl/ssl.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace httpserve {

class TlsContext;

class TlsSession {
public:
    // Over `fd` (owned by the connection). Throws std::bad_alloc when OpenSSL cannot allocate.
    TlsSession(const TlsContext& context, int fd);
    TlsSession(const TlsSession&) = delete;
    TlsSession& operator=(const TlsSession&) = delete;
    ~TlsSession();

    // Reads decrypted bytes until `cap` is full or the socket has no more for now.
    ssize_t receive(char* buf, size_t cap);
    // Writes from the iovecs (small pieces are gathered into `scratch` first: one TLS record for a
    // head and a small body). After EAGAIN, the next call must offer at least as many bytes.
    ssize_t send(const iovec* iov, size_t count, std::span<char> scratch);
    // Up to `want` bytes of `file` from `offset`: SSL_sendfile with kernel TLS, else a read into
    // `scratch` and a write (at most scratch.size() bytes per call: never the whole file in memory).
    ssize_t send_file(int file, uint64_t offset, size_t want, std::span<char> scratch);
    // Decrypted bytes wait inside OpenSSL (the socket may be empty): read again without waiting.
    bool buffered_input() const;
    // Bytes or an end of file wait (decrypted, or in the socket).
    bool input_waiting() const;
    // Sends close_notify (when the session is sound), then shuts the socket's write side.
    void shutdown_write();

    bool handshake_done() const { return handshake_done_; }
    bool plain_http() const { return plain_; }

private:
    ssize_t fail(int ssl_result, const char* what);

    SSL* ssl_ = nullptr;
    int fd_;
    bool started_ = false;  // the first byte was a TLS record: OpenSSL owns the stream
    bool plain_ = false;    // the first byte was not: plain bytes from now on
    bool handshake_done_ = false;
    bool broken_ = false;  // a fatal error: no close_notify, no more I/O through OpenSSL
    bool file_path_logged_ = false;
};

}  // namespace httpserve
