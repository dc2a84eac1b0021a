// Listening sockets: bound by the master (before any privilege drop) or passed by systemd, and shared
// by all workers. A reload keeps the socket of every address that stays, so no connection is refused.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "config/config.hpp"

namespace httpserve {

struct Listener {
    ListenAddress wanted;  // as configured; empty address for a socket-activated one no entry matched
    UniqueFd fd;
    std::string host;   // bound address as text ("::", "127.0.0.1")
    uint16_t port = 0;  // bound port (the real one when 0 was asked for)
    sockaddr_storage bound{};
    bool activated = false;  // passed by systemd: never closed by a reload
};

// Shared by the generations that serve on it; the socket closes when the last one lets go.
using ListenerRef = std::shared_ptr<const Listener>;

// A socket passed by systemd (listening, non-blocking), described by its bound address.
Listener adopt_listener(UniqueFd fd);

// What assemble_listeners did besides reusing sockets, for the log.
struct ListenerChanges {
    std::vector<ListenerRef> bound;      // newly bound
    std::vector<ListenerRef> unmatched;  // socket-activated, matching no address (served anyway)
};

// The sockets for `addresses`: one of `available` when it is the same address (same entry, or the
// same resolved address and port; a socket-activated one with any port when the entry asks for port
// 0), else a newly bound one: the first getaddrinfo() answer (Python's rule), SO_REUSEADDR, dual-stack
// for IPv6 (IPV6_V6ONLY off), non-blocking, a production-sized backlog. Every socket-activated socket
// in `available` is served as well, matched or not: systemd's socket unit has the last word on
// what is listened on. Throws std::runtime_error naming the address when one cannot be bound.
std::vector<ListenerRef> assemble_listeners(const std::vector<ListenAddress>& addresses,
                                            const std::vector<ListenerRef>& available,
                                            ListenerChanges* changes = nullptr);

// The entry of `addresses` that `listener` serves (the first whose socket it is, as assemble_listeners
// matched them), or null for a socket-activated socket no entry asked for. A reused socket serves the
// new configuration's entry, not the one it was bound for.
const ListenAddress* entry_for(const Listener& listener, const std::vector<ListenAddress>& addresses);

// "Serving HTTP on :: port 8000 (http://[::]:8000/) ...", or HTTPS and https:// for a TLS listener.
std::string serving_line(const Listener& listener, bool https = false);

// "127.0.0.1:8000", "[::1]:8000"
std::string describe(const Listener& listener);

}  // namespace httpserve
