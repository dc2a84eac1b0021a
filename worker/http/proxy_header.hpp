// The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) that a load balancer
// sends before the client's first byte to say whose connection it relays. A pure function over bytes:
// no socket, no allocation. A listener either requires the header or does not: nothing here guesses.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <string_view>

namespace httpserve::proxy {

// Version 1: one text line of at most 107 bytes, CRLF included.
constexpr size_t max_v1_length = 107;
// Version 2: a 16-byte fixed part and up to 65535 bytes of addresses and TLVs. We accept 4 KiB in
// all: the addresses take at most 216 bytes, and the TLVs load balancers add (SSL details, a unique
// id, a VPC endpoint) far less than the rest.
constexpr size_t max_v2_length = 4096;

enum class Status {
    Incomplete,  // a valid beginning: read more (never more than the bounds above)
    Error,       // not a PROXY header, or a malformed one: close the connection
    Done,
};

struct Header {
    size_t length = 0;  // bytes the header took; what follows is the client's own data
    // False for LOCAL (a health check from the balancer itself), v1 UNKNOWN and v2 UNSPEC or
    // AF_UNIX: the connection's own addresses stand.
    bool has_addresses = false;
    sockaddr_storage source{};       // AF_INET or AF_INET6, port included, when has_addresses
    sockaddr_storage destination{};  // likewise
};

// Parses the start of a connection's input. On Error, `reason` says why (a short constant text).
Status parse_header(std::string_view data, Header& out, const char*& reason);

}  // namespace httpserve::proxy
