// The PROXY protocol header parser: v1 and v2, both address families, LOCAL, TLVs, every rejection,
// and input arriving in pieces.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <string_view>

#include "worker/http/proxy_header.hpp"

using httpserve::proxy::Header;
using httpserve::proxy::parse_header;
using httpserve::proxy::Status;

namespace {

const std::string v2_sig("\r\n\r\n\0\r\nQUIT\n", 12);

struct Parsed {
    Status status;
    Header header;
    std::string reason;
};

Parsed parse(std::string_view data) {
    Parsed p{Status::Error, {}, {}};
    const char* reason = nullptr;
    p.status = parse_header(data, p.header, reason);
    p.reason = reason ? reason : "";
    return p;
}

std::string text_of(const sockaddr_storage& a) {
    char buf[INET6_ADDRSTRLEN] = "";
    if (a.ss_family == AF_INET) inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(a).sin_addr, buf, sizeof buf);
    if (a.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(a).sin6_addr, buf, sizeof buf);
    return buf;
}

unsigned port_of(const sockaddr_storage& a) {
    if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
    return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
}

// A v2 header: command byte, family byte, then the payload (addresses and TLVs).
std::string v2(unsigned char version_command, unsigned char family, const std::string& payload) {
    std::string h = v2_sig;
    h += static_cast<char>(version_command);
    h += static_cast<char>(family);
    h += static_cast<char>(payload.size() >> 8);
    h += static_cast<char>(payload.size() & 0xFF);
    return h + payload;
}

std::string inet4_payload() {
    // 203.0.113.7:4321 -> 192.0.2.1:443
    return std::string("\xCB\x00\x71\x07\xC0\x00\x02\x01\x10\xE1\x01\xBB", 12);
}

std::string inet6_payload() {
    std::string p(36, '\0');
    in6_addr src{}, dst{};
    inet_pton(AF_INET6, "2001:db8::7", &src);
    inet_pton(AF_INET6, "2001:db8::1", &dst);
    std::memcpy(p.data(), &src, 16);
    std::memcpy(p.data() + 16, &dst, 16);
    p[32] = '\x10';
    p[33] = '\xE1';
    p[34] = '\x01';
    p[35] = '\xBB';
    return p;
}

}  // namespace

TEST_CASE("PROXY v1 TCP4 carries both addresses and ports") {
    const std::string line = "PROXY TCP4 203.0.113.7 192.0.2.1 4321 443\r\n";
    auto p = parse(line + "GET / HTTP/1.1\r\n");
    REQUIRE(p.status == Status::Done);
    CHECK(p.header.length == line.size());
    CHECK(p.header.has_addresses);
    CHECK(text_of(p.header.source) == "203.0.113.7");
    CHECK(port_of(p.header.source) == 4321);
    CHECK(text_of(p.header.destination) == "192.0.2.1");
    CHECK(port_of(p.header.destination) == 443);
}

TEST_CASE("PROXY v1 TCP6") {
    auto p = parse("PROXY TCP6 2001:db8::7 2001:db8::1 65535 0\r\n");
    REQUIRE(p.status == Status::Done);
    CHECK(p.header.source.ss_family == AF_INET6);
    CHECK(text_of(p.header.source) == "2001:db8::7");
    CHECK(port_of(p.header.source) == 65535);
    CHECK(port_of(p.header.destination) == 0);
}

TEST_CASE("PROXY v1 UNKNOWN keeps the connection's own addresses") {
    auto p = parse("PROXY UNKNOWN\r\n");
    REQUIRE(p.status == Status::Done);
    CHECK_FALSE(p.header.has_addresses);
    CHECK(p.header.length == 15);
    // Anything after UNKNOWN is ignored, up to the length limit.
    auto q = parse("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\nGET");
    REQUIRE(q.status == Status::Done);
    CHECK_FALSE(q.header.has_addresses);
    CHECK(q.header.length == 35);
}

TEST_CASE("PROXY v1 rejections") {
    const char* bad[] = {
        "PROXY TCP4 203.0.113.7 192.0.2.1 4321 443\n",       // LF without CR
        "PROXY TCP4 203.0.113.7 192.0.2.1 4321 65536\r\n",   // port out of range
        "PROXY TCP4 203.0.113.7 192.0.2.1 04321 443\r\n",    // leading zero
        "PROXY TCP4 203.0.113.7 192.0.2.1 -1 443\r\n",       // sign
        "PROXY TCP4 203.0.113.7 192.0.2.1 4321\r\n",         // missing port
        "PROXY TCP4 203.0.113.7 192.0.2.1 4321 443 1\r\n",   // extra field
        "PROXY TCP4 203.0.113.7  192.0.2.1 4321 443\r\n",    // double space
        "PROXY TCP4 203.0.113.300 192.0.2.1 4321 443\r\n",   // bad IPv4
        "PROXY TCP4 2001:db8::7 192.0.2.1 4321 443\r\n",     // family mismatch
        "PROXY TCP6 203.0.113.7 2001:db8::1 4321 443\r\n",   // family mismatch
        "PROXY TCP6 2001:db8::zz 2001:db8::1 4321 443\r\n",  // bad IPv6
        "PROXY UDP4 203.0.113.7 192.0.2.1 4321 443\r\n",     // not TCP
        "PROXY tcp4 203.0.113.7 192.0.2.1 4321 443\r\n",     // case matters
        "PROXY \r\n",
        "GET / HTTP/1.1\r\n\r\n",  // no header at all: never guessed
        "proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n",
    };
    for (const char* input : bad) {
        INFO(input);
        auto p = parse(input);
        CHECK(p.status == Status::Error);
        CHECK_FALSE(p.reason.empty());
    }
}

TEST_CASE("PROXY v1 longer than 107 bytes is refused without waiting for its end") {
    std::string line = "PROXY UNKNOWN " + std::string(93, 'x');  // 107 bytes, no line end yet
    REQUIRE(line.size() == 107);
    CHECK(parse(line).status == Status::Error);
    CHECK(parse(line.substr(0, 106)).status == Status::Incomplete);
    // Exactly 107 bytes with its CRLF is fine.
    std::string longest = "PROXY UNKNOWN " + std::string(91, 'x') + "\r\n";
    REQUIRE(longest.size() == 107);
    CHECK(parse(longest).status == Status::Done);
}

TEST_CASE("Every proper prefix of a header is Incomplete") {
    const std::string headers[] = {
        "PROXY TCP4 203.0.113.7 192.0.2.1 4321 443\r\n",
        v2(0x21, 0x11, inet4_payload()),
        v2(0x21, 0x21, inet6_payload()),
        v2(0x20, 0x00, ""),
    };
    for (const std::string& h : headers) {
        for (size_t n = 0; n < h.size(); ++n) {
            INFO(n);
            CHECK(parse(h.substr(0, n)).status == Status::Incomplete);
        }
        auto p = parse(h);
        CHECK(p.status == Status::Done);
        CHECK(p.header.length == h.size());
    }
}

TEST_CASE("PROXY v2 AF_INET over STREAM") {
    const std::string h = v2(0x21, 0x11, inet4_payload());
    auto p = parse(h + "GET / HTTP/1.1\r\n\r\n");
    REQUIRE(p.status == Status::Done);
    CHECK(p.header.length == 28);
    CHECK(p.header.has_addresses);
    CHECK(text_of(p.header.source) == "203.0.113.7");
    CHECK(port_of(p.header.source) == 4321);
    CHECK(text_of(p.header.destination) == "192.0.2.1");
    CHECK(port_of(p.header.destination) == 443);
}

TEST_CASE("PROXY v2 AF_INET6 over STREAM") {
    auto p = parse(v2(0x21, 0x21, inet6_payload()));
    REQUIRE(p.status == Status::Done);
    CHECK(p.header.length == 52);
    CHECK(text_of(p.header.source) == "2001:db8::7");
    CHECK(port_of(p.header.source) == 4321);
    CHECK(text_of(p.header.destination) == "2001:db8::1");
}

TEST_CASE("PROXY v2 TLVs after the addresses are skipped, never read past the length") {
    std::string tlvs = std::string("\x03\x00\x04", 3) + "abcd" + std::string("\x05\x00\x02", 3) + "id";
    const std::string h = v2(0x21, 0x11, inet4_payload() + tlvs);
    auto p = parse(h + "GET");
    REQUIRE(p.status == Status::Done);
    CHECK(p.header.length == h.size());
    CHECK(text_of(p.header.source) == "203.0.113.7");
    // A TLV claiming more than the header holds is the sender's problem: the header's length rules.
    const std::string lying = v2(0x21, 0x11, inet4_payload() + std::string("\x03\xFF\xFF", 3));
    auto q = parse(lying);
    REQUIRE(q.status == Status::Done);
    CHECK(q.header.length == lying.size());
}

TEST_CASE("PROXY v2 LOCAL, UNSPEC and AF_UNIX keep the connection's own addresses") {
    auto local = parse(v2(0x20, 0x00, ""));
    REQUIRE(local.status == Status::Done);
    CHECK_FALSE(local.header.has_addresses);
    CHECK(local.header.length == 16);
    // LOCAL with addresses: they are ignored.
    auto local_with = parse(v2(0x20, 0x11, inet4_payload()));
    REQUIRE(local_with.status == Status::Done);
    CHECK_FALSE(local_with.header.has_addresses);
    auto unspec = parse(v2(0x21, 0x00, ""));
    REQUIRE(unspec.status == Status::Done);
    CHECK_FALSE(unspec.header.has_addresses);
    auto unix_socket = parse(v2(0x21, 0x31, std::string(216, '\0')));
    REQUIRE(unix_socket.status == Status::Done);
    CHECK_FALSE(unix_socket.header.has_addresses);
}

TEST_CASE("PROXY v2 rejections") {
    struct Case {
        std::string input;
        const char* what;
    };
    std::string bad_sig = v2(0x21, 0x11, inet4_payload());
    bad_sig[11] = 'X';
    const Case cases[] = {
        {bad_sig, "wrong signature"},
        {v2(0x11, 0x11, inet4_payload()), "version 1 in a v2 header"},
        {v2(0x31, 0x11, inet4_payload()), "version 3"},
        {v2(0x22, 0x11, inet4_payload()), "command 2"},
        {v2(0x21, 0x12, inet4_payload()), "DGRAM"},
        {v2(0x21, 0x10, inet4_payload()), "AF_INET with an unspecified transport"},
        {v2(0x21, 0x41, inet4_payload()), "family 4"},
        {v2(0x21, 0x13, inet4_payload()), "transport 3"},
        {v2(0x21, 0x11, inet4_payload().substr(0, 11)), "AF_INET too short"},
        {v2(0x21, 0x21, inet4_payload()), "AF_INET6 with AF_INET's length"},
        {v2(0x21, 0x11, std::string(4096 - 16 + 1, '\0')), "over 4096 bytes"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        auto p = parse(c.input);
        CHECK(p.status == Status::Error);
        CHECK_FALSE(p.reason.empty());
    }
    // A declared length over the bound is refused from the fixed part alone.
    CHECK(parse(v2(0x21, 0x11, std::string(4096 - 16 + 1, '\0')).substr(0, 16)).status == Status::Error);
    // The bound itself is accepted.
    CHECK(parse(v2(0x21, 0x11, inet4_payload() + std::string(4096 - 16 - 12, '\0'))).status == Status::Done);
}
