#include "worker/http/proxy_header.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace httpserve::proxy {

namespace {

constexpr std::string_view v1_prefix = "PROXY ";
constexpr std::string_view v2_signature{"\r\n\r\n\0\r\nQUIT\n", 12};
constexpr size_t v2_fixed_length = 16;

Status fail(const char*& reason, const char* why) {
    reason = why;
    return Status::Error;
}

// True when `data` is a proper beginning of `whole` (more bytes may complete it).
bool begins(std::string_view data, std::string_view whole) {
    return data.size() < whole.size() && whole.substr(0, data.size()) == data;
}

// A decimal port, 0 to 65535, without a sign or a leading zero.
bool parse_port(std::string_view text, uint16_t& port) {
    if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return false;
    uint32_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    if (value > 65535) return false;
    port = static_cast<uint16_t>(value);
    return true;
}

bool parse_address(int family, std::string_view text, uint16_t port, sockaddr_storage& out) {
    char buf[INET6_ADDRSTRLEN];
    if (text.empty() || text.size() >= sizeof buf) return false;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    out = sockaddr_storage{};
    if (family == AF_INET) {
        auto& in = reinterpret_cast<sockaddr_in&>(out);
        in.sin_family = AF_INET;
        in.sin_port = htons(port);
        return ::inet_pton(AF_INET, buf, &in.sin_addr) == 1;
    }
    auto& in6 = reinterpret_cast<sockaddr_in6&>(out);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    return ::inet_pton(AF_INET6, buf, &in6.sin6_addr) == 1;
}

// Splits off the next field ending at a single space (or at the end of `line`).
std::string_view next_field(std::string_view& line) {
    const size_t space = line.find(' ');
    std::string_view field = line.substr(0, space);
    line = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    return field;
}

// "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n", "PROXY TCP6 ...", "PROXY UNKNOWN[ ...]\r\n".
Status parse_v1(std::string_view data, Header& out, const char*& reason) {
    const size_t window = std::min(data.size(), max_v1_length);
    const size_t lf = data.substr(0, window).find('\n');
    if (lf == std::string_view::npos) {
        return data.size() >= max_v1_length ? fail(reason, "PROXY v1 line longer than 107 bytes") : Status::Incomplete;
    }
    if (lf == 0 || data[lf - 1] != '\r') return fail(reason, "PROXY v1 line does not end with CRLF");
    std::string_view line = data.substr(v1_prefix.size(), lf - 1 - v1_prefix.size());
    out = Header{};
    out.length = lf + 1;
    const std::string_view protocol = next_field(line);
    if (protocol == "UNKNOWN") return Status::Done;  // whatever follows is ignored, by the spec
    int family;
    if (protocol == "TCP4") family = AF_INET;
    else if (protocol == "TCP6") family = AF_INET6;
    else return fail(reason, "PROXY v1 protocol is not TCP4, TCP6 or UNKNOWN");
    const std::string_view source = next_field(line);
    const std::string_view destination = next_field(line);
    const std::string_view source_port = next_field(line);
    const std::string_view destination_port = line;
    uint16_t sport = 0, dport = 0;
    if (!parse_port(source_port, sport) || !parse_port(destination_port, dport))
        return fail(reason, "PROXY v1 port is not a number from 0 to 65535");
    if (!parse_address(family, source, sport, out.source) ||
        !parse_address(family, destination, dport, out.destination))
        return fail(reason, "PROXY v1 address does not match its protocol");
    out.has_addresses = true;
    return Status::Done;
}

uint16_t read_be16(const char* p) {
    return static_cast<uint16_t>((static_cast<unsigned char>(p[0]) << 8) | static_cast<unsigned char>(p[1]));
}

// 12-byte signature, version and command, family and transport, 16-bit length, then the addresses
// and any TLVs (skipped: nothing of them is needed, and nothing past the length is looked at).
Status parse_v2(std::string_view data, Header& out, const char*& reason) {
    if (data.size() < v2_fixed_length) return Status::Incomplete;
    const auto version_command = static_cast<unsigned char>(data[12]);
    const auto family_transport = static_cast<unsigned char>(data[13]);
    const size_t length = v2_fixed_length + read_be16(data.data() + 14);
    if ((version_command >> 4) != 2) return fail(reason, "PROXY v2 version is not 2");
    const unsigned command = version_command & 0x0F;
    if (command > 1) return fail(reason, "PROXY v2 command is neither LOCAL nor PROXY");
    if (length > max_v2_length) return fail(reason, "PROXY v2 header longer than 4096 bytes");
    if (data.size() < length) return Status::Incomplete;
    out = Header{};
    out.length = length;
    if (command == 0) return Status::Done;  // LOCAL: the balancer's own connection, addresses ignored
    const unsigned family = family_transport >> 4;
    const unsigned transport = family_transport & 0x0F;
    if (family > 3 || transport > 2) return fail(reason, "PROXY v2 unknown address family or transport");
    if (family == 0 || family == 3) return Status::Done;  // UNSPEC or AF_UNIX: keep the connection's own
    if (transport != 1) return fail(reason, "PROXY v2 transport is not STREAM");
    const char* a = data.data() + v2_fixed_length;
    const size_t available = length - v2_fixed_length;
    if (family == 1) {
        if (available < 12) return fail(reason, "PROXY v2 too short for AF_INET addresses");
        auto& src = reinterpret_cast<sockaddr_in&>(out.source);
        auto& dst = reinterpret_cast<sockaddr_in&>(out.destination);
        src.sin_family = dst.sin_family = AF_INET;
        std::memcpy(&src.sin_addr, a, 4);
        std::memcpy(&dst.sin_addr, a + 4, 4);
        std::memcpy(&src.sin_port, a + 8, 2);  // both network byte order
        std::memcpy(&dst.sin_port, a + 10, 2);
    } else {
        if (available < 36) return fail(reason, "PROXY v2 too short for AF_INET6 addresses");
        auto& src = reinterpret_cast<sockaddr_in6&>(out.source);
        auto& dst = reinterpret_cast<sockaddr_in6&>(out.destination);
        src.sin6_family = dst.sin6_family = AF_INET6;
        std::memcpy(&src.sin6_addr, a, 16);
        std::memcpy(&dst.sin6_addr, a + 16, 16);
        std::memcpy(&src.sin6_port, a + 32, 2);
        std::memcpy(&dst.sin6_port, a + 34, 2);
    }
    out.has_addresses = true;
    return Status::Done;
}

}  // namespace

Status parse_header(std::string_view data, Header& out, const char*& reason) {
    reason = "";
    if (data.size() >= v2_signature.size() && data.substr(0, v2_signature.size()) == v2_signature)
        return parse_v2(data, out, reason);
    if (data.size() >= v1_prefix.size() && data.substr(0, v1_prefix.size()) == v1_prefix)
        return parse_v1(data, out, reason);
    if (begins(data, v2_signature) || begins(data, v1_prefix)) return Status::Incomplete;
    return fail(reason, "no PROXY header");
}

}  // namespace httpserve::proxy
