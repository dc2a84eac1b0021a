#include "daemon/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace httpserve {

Notifier::Notifier() {
    const char* name = std::getenv("NOTIFY_SOCKET");
    if (!name) return;
    const std::string path = name;
    ::unsetenv("NOTIFY_SOCKET");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if ((path[0] != '/' && path[0] != '@') || path.size() >= sizeof address.sun_path) return;
    std::memcpy(address.sun_path, path.data(), path.size());
    if (path[0] == '@') address.sun_path[0] = '\0';  // the abstract namespace
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
    UniqueFd socket(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!socket || ::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) return;
    socket_ = std::move(socket);
}

void Notifier::reloading(std::string_view status) {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    send(NotifyState::Reloading, status, static_cast<int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000);
}

void Notifier::send(NotifyState state, std::string_view status, int64_t monotonic_usec) {
    if (!socket_) return;
    queue_.push(state, status, monotonic_usec);
    flush();
}

void Notifier::flush() {
    while (socket_ && !queue_.empty()) {
        const std::string text = queue_.front().text();
        if (::send(socket_.get(), text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
            queue_.pop();
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;  // the receiver's queue is full: again when the socket is writable
        } else if (errno != EINTR) {
            queue_.clear();  // the receiver is gone; there is nobody to tell
            return;
        }
    }
}

}  // namespace httpserve
