#include "daemon/socket_activation.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace httpserve {

std::vector<UniqueFd> take_activated_sockets() {
    const int n = ::sd_listen_fds(1);
    if (n < 0) throw std::runtime_error(std::string("socket activation: ") + std::strerror(-n));
    std::vector<UniqueFd> fds;
    for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; ++fd) fds.emplace_back(fd);
    for (const UniqueFd& fd : fds) {
        if (::sd_is_socket_inet(fd.get(), AF_UNSPEC, SOCK_STREAM, 1, 0) <= 0) {
            throw std::runtime_error("socket activation: fd " + std::to_string(fd.get()) +
                                     " is not a listening TCP socket");
        }
        const int flags = ::fcntl(fd.get(), F_GETFL);
        if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) != 0 ||
            ::fcntl(fd.get(), F_SETFD, FD_CLOEXEC) != 0) {
            throw std::runtime_error("socket activation: fd " + std::to_string(fd.get()) + ": " + std::strerror(errno));
        }
    }
    return fds;
}

int activated_socket_count() {
    const int n = ::sd_listen_fds(0);
    return n > 0 ? n : 0;
}

}  // namespace httpserve
