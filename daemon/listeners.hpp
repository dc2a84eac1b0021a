// Listening sockets: bound by the master (before any privilege drop) and shared by all workers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "config/config.hpp"

namespace httpserve {

struct Listener {
    ListenAddress wanted;  // as configured
    UniqueFd fd;
    std::string host;      // bound address as text ("::", "127.0.0.1")
    uint16_t port = 0;     // bound port (the real one when 0 was asked for)
};

// Binds every address: the first getaddrinfo() answer (Python's rule), SO_REUSEADDR, dual-stack for
// IPv6 (IPV6_V6ONLY off), non-blocking, a production-sized backlog. Throws std::runtime_error naming
// the address on failure.
std::vector<Listener> bind_listeners(const std::vector<ListenAddress>& addresses);

// "Serving HTTP on :: port 8000 (http://[::]:8000/) ..."
std::string serving_line(const Listener& listener);

}  // namespace httpserve
