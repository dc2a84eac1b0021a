// A socket address as the logs and CGI print it: the address alone, no port.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>

namespace httpserve {

inline void format_peer(const sockaddr_storage& peer, char* out, size_t size) {
    out[0] = '\0';
    if (peer.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(peer).sin_addr, out, static_cast<socklen_t>(size));
    } else if (peer.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr, out, static_cast<socklen_t>(size));
    }
}

}  // namespace httpserve
