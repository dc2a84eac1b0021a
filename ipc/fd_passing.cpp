#include "ipc/fd_passing.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace httpserve {

int send_message(int sock, std::string_view bytes, std::span<const int> fds, bool dont_wait) {
    iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    std::vector<char> control;
    if (!fds.empty()) {
        control.assign(CMSG_SPACE(sizeof(int) * fds.size()), 0);
        msg.msg_control = control.data();
        msg.msg_controllen = control.size();
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    const int flags = MSG_NOSIGNAL | (dont_wait ? MSG_DONTWAIT : 0);
    for (;;) {
        if (::sendmsg(sock, &msg, flags) >= 0) return 0;
        if (errno != EINTR) return errno;
    }
}

ReceiveStatus receive_message(int sock, size_t max_bytes, size_t max_fds, ReceivedMessage& out) {
    out.fds.clear();
    out.length = 0;
    out.truncated = false;
    out.error = 0;
    // One byte more than allowed, so that an oversized message shows up as truncated even where
    // the kernel would not flag it.
    if (out.buffer.size() < max_bytes + 1) out.buffer.resize(max_bytes + 1);
    iovec iov{out.buffer.data(), max_bytes + 1};
    // Room for one more fd than allowed: too many fds is then visible as a count, not only MSG_CTRUNC.
    std::vector<char> control(CMSG_SPACE(sizeof(int) * (max_fds + 1)), 0);
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    ssize_t n;
    do { n = ::recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return ReceiveStatus::WouldBlock;
        out.error = errno;
        return ReceiveStatus::Error;
    }
    // Take ownership of every fd that arrived, whatever else is wrong with the message.
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            out.fds.emplace_back(fd);
        }
    }
    // SEQPACKET: a zero-length read with nothing attached is the peer's close.
    if (n == 0 && out.fds.empty() && !(msg.msg_flags & MSG_TRUNC)) return ReceiveStatus::Closed;
    out.length = static_cast<size_t>(n);
    out.truncated =
        (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || out.length > max_bytes || out.fds.size() > max_fds;
    return ReceiveStatus::Message;
}

void allow_message_size(int sock, size_t bytes) {
    int size = static_cast<int>(bytes + 4096);  // headroom for the kernel's per-message overhead
    ::setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

}  // namespace httpserve
