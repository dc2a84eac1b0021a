#include "config/cidr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace httpserve {

namespace {

bool v4_mapped(const uint8_t* a) {
    static constexpr uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    return std::memcmp(a, prefix, sizeof prefix) == 0;
}

bool prefix_equal(const uint8_t* a, const uint8_t* b, unsigned bits) {
    const unsigned whole = bits / 8;
    if (std::memcmp(a, b, whole) != 0) return false;
    const unsigned rest = bits % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

std::optional<Cidr> parse_cidr(std::string_view text, std::string& problem) {
    const size_t slash = text.find('/');
    const std::string_view address = text.substr(0, slash);
    Cidr c;
    char buf[INET6_ADDRSTRLEN];
    if (address.empty() || address.size() >= sizeof buf) {
        problem = "expected an address or a network like \"10.0.0.0/8\" or \"2001:db8::/32\"";
        return std::nullopt;
    }
    std::memcpy(buf, address.data(), address.size());
    buf[address.size()] = '\0';
    if (::inet_pton(AF_INET, buf, c.bytes.data()) == 1) {
        c.family = AF_INET;
    } else if (::inet_pton(AF_INET6, buf, c.bytes.data()) == 1) {
        c.family = AF_INET6;
        if (v4_mapped(c.bytes.data())) {
            problem =
                "an IPv4-mapped IPv6 network never matches: IPv4 peers are matched against IPv4 "
                "networks, so write it as one (e.g. \"10.0.0.0/8\")";
            return std::nullopt;
        }
    } else {
        problem = "expected an address or a network like \"10.0.0.0/8\" or \"2001:db8::/32\"";
        return std::nullopt;
    }
    const unsigned max_prefix = c.family == AF_INET ? 32 : 128;
    c.prefix = max_prefix;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        unsigned value = 0;
        bool ok = !digits.empty() && digits.size() <= 3 && (digits.size() == 1 || digits[0] != '0');
        for (char ch : digits) {
            if (ch < '0' || ch > '9') ok = false;
            else value = value * 10 + static_cast<unsigned>(ch - '0');
        }
        if (!ok || value > max_prefix) {
            problem = "prefix length must be a number from 0 to " + std::to_string(max_prefix);
            return std::nullopt;
        }
        c.prefix = value;
    }
    const size_t length = c.family == AF_INET ? 4 : 16;
    Cidr network = c;
    for (unsigned bit = c.prefix; bit < length * 8; ++bit) network.bytes[bit / 8] &= ~(0x80 >> (bit % 8));
    if (network.bytes != c.bytes) {
        problem = "host bits are set after the prefix length (did you mean the network's first address?)";
        return std::nullopt;
    }
    return c;
}

bool cidr_contains(const Cidr& network, const sockaddr* peer) {
    const uint8_t* address = nullptr;
    int family = peer->sa_family;
    if (family == AF_INET) {
        address = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(peer)->sin_addr);
    } else if (family == AF_INET6) {
        address = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr);
        if (v4_mapped(address)) {
            address += 12;
            family = AF_INET;
        }
    } else {
        return false;
    }
    return family == network.family && prefix_equal(address, network.bytes.data(), network.prefix);
}

}  // namespace httpserve
