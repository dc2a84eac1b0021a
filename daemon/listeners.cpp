#include "daemon/listeners.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace httpserve {

namespace {

constexpr int listen_backlog = 4096;  // Python uses 5; a production server must not drop bursts
// A connection is handed to a worker once its first bytes arrived (TCP_DEFER_ACCEPT): the worker reads
// the request at once instead of registering the socket and waiting, and a client that connects and
// says nothing holds no connection slot. After this many seconds of silence it is accepted anyway,
// and header_timeout applies from then on.
constexpr int defer_accept_seconds = 5;

std::string describe(const ListenAddress& a) {
    bool v6 = a.address.find(':') != std::string::npos;
    return (v6 ? "[" + a.address + "]" : a.address) + ":" + std::to_string(a.port);
}

using AddrInfo = std::unique_ptr<addrinfo, void (*)(addrinfo*)>;

// The first getaddrinfo() answer, as Python takes it.
AddrInfo resolve(const ListenAddress& wanted) {
    if (wanted.address.empty()) throw std::runtime_error("cannot bind an empty address");
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    std::string port = std::to_string(wanted.port);
    int rc = ::getaddrinfo(wanted.address.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) { throw std::runtime_error("cannot resolve " + wanted.address + ": " + ::gai_strerror(rc)); }
    return AddrInfo(found, ::freeaddrinfo);
}

// Fills host, port and bound from the socket itself.
void describe_bound(Listener& l) {
    socklen_t len = sizeof l.bound;
    ::getsockname(l.fd.get(), reinterpret_cast<sockaddr*>(&l.bound), &len);
    char text[INET6_ADDRSTRLEN] = "";
    if (l.bound.ss_family == AF_INET6) {
        auto& sa = reinterpret_cast<sockaddr_in6&>(l.bound);
        ::inet_ntop(AF_INET6, &sa.sin6_addr, text, sizeof text);
        l.port = ntohs(sa.sin6_port);
    } else {
        auto& sa = reinterpret_cast<sockaddr_in&>(l.bound);
        ::inet_ntop(AF_INET, &sa.sin_addr, text, sizeof text);
        l.port = ntohs(sa.sin_port);
    }
    l.host = text;
}

Listener bind_one(const ListenAddress& wanted) {
    AddrInfo found = resolve(wanted);
    const addrinfo* ai = found.get();
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) throw std::runtime_error("socket() for " + describe(wanted) + ": " + std::strerror(errno));
    int one = 1, zero = 0;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6) {
        // An IPv6 wildcard also takes IPv4 clients, as Python's DualStackServer does.
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    }
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_accept_seconds, sizeof defer_accept_seconds);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
        throw std::runtime_error("cannot bind " + describe(wanted) + ": " + std::strerror(errno));
    }
    if (::listen(fd.get(), listen_backlog) != 0) {
        throw std::runtime_error("cannot listen on " + describe(wanted) + ": " + std::strerror(errno));
    }

    Listener l;
    l.wanted = wanted;
    l.fd = std::move(fd);
    describe_bound(l);
    return l;
}

// Same family and address, and the same port unless `any_port`.
bool same_address(const sockaddr_storage& a, const sockaddr* b, bool any_port) {
    if (a.ss_family != b->sa_family) return false;
    if (a.ss_family == AF_INET) {
        const auto& x = reinterpret_cast<const sockaddr_in&>(a);
        const auto* y = reinterpret_cast<const sockaddr_in*>(b);
        return x.sin_addr.s_addr == y->sin_addr.s_addr && (any_port || x.sin_port == y->sin_port);
    }
    if (a.ss_family == AF_INET6) {
        const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
        const auto* y = reinterpret_cast<const sockaddr_in6*>(b);
        return std::memcmp(&x.sin6_addr, &y->sin6_addr, sizeof x.sin6_addr) == 0 &&
               x.sin6_scope_id == y->sin6_scope_id && (any_port || x.sin6_port == y->sin6_port);
    }
    return false;
}

ListenerRef find_match(const ListenAddress& wanted, const std::vector<ListenerRef>& available) {
    for (const ListenerRef& l : available) {
        if (!l->wanted.address.empty() && l->wanted == wanted) return l;
    }
    AddrInfo found(nullptr, ::freeaddrinfo);
    try {
        found = resolve(wanted);
    } catch (const std::runtime_error&) {
        return nullptr;  // binding reports it
    }
    for (const ListenerRef& l : available) {
        // Port 0 asks for "any port": only a socket systemd made for us can answer that.
        const bool any_port = wanted.port == 0;
        if ((l->activated || !any_port) && same_address(l->bound, found->ai_addr, any_port)) return l;
    }
    return nullptr;
}

}  // namespace

Listener adopt_listener(UniqueFd fd) {
    Listener l;
    // No entry asked for it: an empty address, so that it is matched by its bound address only (the
    // default ListenAddress, [::]:8000, would match the default entry whatever the socket is bound to).
    l.wanted = ListenAddress{"", 0};
    l.fd = std::move(fd);
    l.activated = true;
    describe_bound(l);
    return l;
}

std::vector<ListenerRef> assemble_listeners(const std::vector<ListenAddress>& addresses,
                                            const std::vector<ListenerRef>& available, ListenerChanges* changes) {
    std::vector<ListenerRef> out;
    const auto add = [&out](const ListenerRef& l) {
        if (std::find(out.begin(), out.end(), l) == out.end()) out.push_back(l);
    };
    for (const ListenAddress& wanted : addresses) {
        if (ListenerRef existing = find_match(wanted, available)) {
            add(existing);
            continue;
        }
        // Also one bound a moment ago for an earlier entry that resolves to the same socket.
        if (ListenerRef again = find_match(wanted, out)) continue;
        auto fresh = std::make_shared<const Listener>(bind_one(wanted));
        if (changes) changes->bound.push_back(fresh);
        add(fresh);
    }
    for (const ListenerRef& l : available) {
        if (!l->activated || std::find(out.begin(), out.end(), l) != out.end()) continue;
        if (changes) changes->unmatched.push_back(l);
        out.push_back(l);
    }
    return out;
}

const ListenAddress* entry_for(const Listener& listener, const std::vector<ListenAddress>& addresses) {
    for (const ListenAddress& entry : addresses) {
        if (!listener.wanted.address.empty() && listener.wanted == entry) return &entry;
    }
    // find_match() takes a shared pointer; this one does not own the listener.
    const ListenerRef alias(std::shared_ptr<const Listener>(), &listener);
    for (const ListenAddress& entry : addresses) {
        if (find_match(entry, {alias}) == alias) return &entry;
    }
    return nullptr;
}

std::string serving_line(const Listener& l, bool https) {
    std::string url_host = l.host.find(':') != std::string::npos ? "[" + l.host + "]" : l.host;
    std::string port = std::to_string(l.port);
    const std::string scheme = https ? "https" : "http";
    return std::string("Serving ") + (https ? "HTTPS" : "HTTP") + " on " + l.host + " port " + port + " (" + scheme +
           "://" + url_host + ":" + port + "/) ...";
}

std::string describe(const Listener& l) {
    return (l.host.find(':') != std::string::npos ? "[" + l.host + "]" : l.host) + ":" + std::to_string(l.port);
}

}  // namespace httpserve
