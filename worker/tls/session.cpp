#include "worker/tls/session.hpp"

#include <openssl/err.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>

#include "tls/context.hpp"

namespace httpserve {

namespace {

constexpr unsigned char kHandshakeRecord = 0x16;
constexpr size_t kRecordSize = 16384;  // TLS's largest record: what one SSL_write sends at most

std::string last_reason() {
    const unsigned long e = ERR_peek_last_error();
    const char* reason = e ? ERR_reason_error_string(e) : nullptr;
    ERR_clear_error();
    return reason ? reason : "connection broken";
}

}  // namespace

TlsSession::TlsSession(const TlsContext& context, int fd) : ssl_(SSL_new(context.get())), fd_(fd) {
    if (!ssl_ || SSL_set_fd(ssl_, fd) != 1) {
        SSL_free(ssl_);
        throw std::bad_alloc();
    }
    SSL_set_accept_state(ssl_);
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

ssize_t TlsSession::fail(int ssl_result, const char* what) {
    const int error = SSL_get_error(ssl_, ssl_result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        errno = EAGAIN;
        return -1;
    }
    if (error == SSL_ERROR_ZERO_RETURN) return 0;  // close_notify (or an end of file: IGNORE_UNEXPECTED_EOF)
    broken_ = true;
    const int saved = errno;
    if (error == SSL_ERROR_SYSCALL) {
        spdlog::debug("tls: {}: {}", what, saved ? std::strerror(saved) : "connection closed");
        ERR_clear_error();
    } else {
        spdlog::debug("tls: {}{}: {}", handshake_done_ ? "" : "handshake failed in ", what, last_reason());
    }
    errno = saved && error == SSL_ERROR_SYSCALL ? saved : ECONNRESET;
    return -1;
}

ssize_t TlsSession::receive(char* buf, size_t cap) {
    if (plain_) return ::recv(fd_, buf, cap, 0);
    if (broken_) {
        errno = ECONNRESET;
        return -1;
    }
    if (!started_) {
        unsigned char first = 0;
        const ssize_t n = ::recv(fd_, &first, 1, MSG_PEEK);
        if (n <= 0) return n;
        if (first != kHandshakeRecord) {
            plain_ = true;
            return ::recv(fd_, buf, cap, 0);
        }
        started_ = true;
    }
    size_t got = 0;
    while (got < cap) {
        const int chunk = static_cast<int>(std::min<size_t>(cap - got, 1u << 30));
        const int n = SSL_read(ssl_, buf + got, chunk);
        if (!handshake_done_ && SSL_is_init_finished(ssl_)) handshake_done_ = true;
        if (n > 0) {
            got += static_cast<size_t>(n);
            // Nothing more read ahead: stop rather than pay a recv that finds the socket empty (what
            // arrives later wakes the connection again).
            if (!SSL_has_pending(ssl_)) break;
            continue;
        }
        const ssize_t result = fail(n, "read");
        // With bytes in hand, they go first: an end of stream or an error shows on the next call.
        if (got > 0) break;
        return result;
    }
    return static_cast<ssize_t>(got);
}

ssize_t TlsSession::send(const iovec* iov, size_t count, std::span<char> scratch) {
    if (plain_) {
        msghdr msg{};
        msg.msg_iov = const_cast<iovec*>(iov);
        msg.msg_iovlen = count;
        return ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    }
    if (broken_ || count == 0) {
        errno = broken_ ? EPIPE : EAGAIN;
        return -1;
    }
    const void* data = iov[0].iov_base;
    size_t length = iov[0].iov_len;
    if (length < kRecordSize && count > 1) {
        // Gather small pieces into one record.
        length = 0;
        const size_t room = std::min(scratch.size(), kRecordSize);
        for (size_t i = 0; i < count && length < room; ++i) {
            const size_t take = std::min(iov[i].iov_len, room - length);
            std::memcpy(scratch.data() + length, iov[i].iov_base, take);
            length += take;
        }
        data = scratch.data();
    }
    const int n = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(length, 1u << 30)));
    return n > 0 ? n : fail(n, "write");
}

ssize_t TlsSession::send_file(int file, uint64_t offset, size_t want, std::span<char> scratch) {
    if (plain_ || broken_) {
        errno = EPIPE;
        return -1;
    }
    const bool ktls = BIO_get_ktls_send(SSL_get_wbio(ssl_));
    if (!file_path_logged_) {
        file_path_logged_ = true;
        spdlog::debug("tls: files go out with {}", ktls ? "SSL_sendfile (kernel TLS)" : "read and SSL_write");
    }
    if (ktls) {
        const ossl_ssize_t n = SSL_sendfile(ssl_, file, static_cast<off_t>(offset), want, 0);
        return n >= 0 ? static_cast<ssize_t>(n) : fail(static_cast<int>(n), "sendfile");
    }
    const size_t length = std::min({want, scratch.size(), kRecordSize});
    ssize_t got;
    do { got = ::pread(file, scratch.data(), length, static_cast<off_t>(offset)); } while (got < 0 && errno == EINTR);
    if (got <= 0) return got;
    const int n = SSL_write(ssl_, scratch.data(), static_cast<int>(got));
    return n > 0 ? n : fail(n, "write");
}

// Decrypted bytes not yet taken, or records read ahead and not yet decrypted.
bool TlsSession::buffered_input() const { return started_ && !broken_ && SSL_has_pending(ssl_) == 1; }

bool TlsSession::input_waiting() const {
    if (buffered_input()) return true;
    char byte;
    ssize_t n;
    do { n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT); } while (n < 0 && errno == EINTR);
    return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

void TlsSession::shutdown_write() {
    if (started_ && handshake_done_ && !broken_) {
        SSL_shutdown(ssl_);  // sends close_notify; the peer's is not waited for
        ERR_clear_error();
    }
    ::shutdown(fd_, SHUT_WR);
}

}  // namespace httpserve
