// Networks written as CIDR ("10.0.0.0/8", "2001:db8::/32", or one address): parsing for the config
// and matching a peer's socket address. Pure: no name resolution, no sockets.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace httpserve {

struct Cidr {
    int family = AF_INET;             // AF_INET or AF_INET6
    std::array<uint8_t, 16> bytes{};  // the network, host bits cleared (4 bytes used for AF_INET)
    unsigned prefix = 0;              // 0..32 or 0..128
    bool operator==(const Cidr&) const = default;
};

// An address with an optional "/prefix" (absent: one host). Host bits must be zero ("10.1.2.3/8" is
// a typo more often than a network). An IPv4-mapped IPv6 network is refused: IPv4 peers, also those
// a dual-stack socket shows as ::ffff:a.b.c.d, are matched against IPv4 networks. On failure,
// `problem` says why.
std::optional<Cidr> parse_cidr(std::string_view text, std::string& problem);

// `peer` is an AF_INET or AF_INET6 socket address; an IPv4-mapped IPv6 one counts as IPv4.
bool cidr_contains(const Cidr& network, const sockaddr* peer);

}  // namespace httpserve
