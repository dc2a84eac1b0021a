#include "daemon/listeners.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace httpserve {

namespace {

constexpr int listen_backlog = 4096;  // Python uses 5; a production server must not drop bursts

std::string describe(const ListenAddress& a) {
    bool v6 = a.address.find(':') != std::string::npos;
    return (v6 ? "[" + a.address + "]" : a.address) + ":" + std::to_string(a.port);
}

Listener bind_one(const ListenAddress& wanted) {
    if (wanted.address.empty()) throw std::runtime_error("cannot bind an empty address");
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    std::string port = std::to_string(wanted.port);
    int rc = ::getaddrinfo(wanted.address.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) {
        throw std::runtime_error("cannot resolve " + wanted.address + ": " + ::gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(found, ::freeaddrinfo);

    const addrinfo* ai = found;  // the first answer, as Python takes it
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) throw std::runtime_error("socket() for " + describe(wanted) + ": " + std::strerror(errno));
    int one = 1, zero = 0;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6) {
        // An IPv6 wildcard also takes IPv4 clients, as Python's DualStackServer does.
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    }
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
        throw std::runtime_error("cannot bind " + describe(wanted) + ": " + std::strerror(errno));
    }
    if (::listen(fd.get(), listen_backlog) != 0) {
        throw std::runtime_error("cannot listen on " + describe(wanted) + ": " + std::strerror(errno));
    }

    Listener l;
    l.wanted = wanted;
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &len);
    char text[INET6_ADDRSTRLEN] = "";
    if (bound.ss_family == AF_INET6) {
        auto& sa = reinterpret_cast<sockaddr_in6&>(bound);
        ::inet_ntop(AF_INET6, &sa.sin6_addr, text, sizeof text);
        l.port = ntohs(sa.sin6_port);
    } else {
        auto& sa = reinterpret_cast<sockaddr_in&>(bound);
        ::inet_ntop(AF_INET, &sa.sin_addr, text, sizeof text);
        l.port = ntohs(sa.sin_port);
    }
    l.host = text;
    l.fd = std::move(fd);
    return l;
}

}  // namespace

std::vector<Listener> bind_listeners(const std::vector<ListenAddress>& addresses) {
    std::vector<Listener> out;
    for (const ListenAddress& a : addresses) out.push_back(bind_one(a));
    return out;
}

std::string serving_line(const Listener& l) {
    std::string url_host = l.host.find(':') != std::string::npos ? "[" + l.host + "]" : l.host;
    std::string port = std::to_string(l.port);
    return "Serving HTTP on " + l.host + " port " + port + " (http://" + url_host + ":" + port + "/) ...";
}

}  // namespace httpserve
