// CIDR networks: what the config accepts, and which peers they match (IPv4-mapped peers as IPv4).
#include "config/cidr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>
#include <string>

using httpserve::Cidr;
using httpserve::cidr_contains;
using httpserve::parse_cidr;

namespace {

Cidr net(const char* text) {
    std::string problem;
    auto c = parse_cidr(text, problem);
    INFO(text << ": " << problem);
    REQUIRE(c);
    return *c;
}

bool contains(const char* network, const char* address) {
    sockaddr_storage s{};
    if (inet_pton(AF_INET, address, &reinterpret_cast<sockaddr_in&>(s).sin_addr) == 1) {
        s.ss_family = AF_INET;
    } else {
        REQUIRE(inet_pton(AF_INET6, address, &reinterpret_cast<sockaddr_in6&>(s).sin6_addr) == 1);
        s.ss_family = AF_INET6;
    }
    return cidr_contains(net(network), reinterpret_cast<const sockaddr*>(&s));
}

}  // namespace

TEST_CASE("CIDR parsing") {
    CHECK(net("127.0.0.0/8").prefix == 8);
    CHECK(net("127.0.0.0/8").family == AF_INET);
    CHECK(net("::1/128").family == AF_INET6);
    CHECK(net("10.1.2.3").prefix == 32);  // one host
    CHECK(net("2001:db8::1").prefix == 128);
    CHECK(net("0.0.0.0/0").prefix == 0);
    CHECK(net("::/0").prefix == 0);
    CHECK(net("10.0.0.0/9").prefix == 9);
}

TEST_CASE("CIDR rejections say why") {
    const char* bad[] = {"",
                         "/8",
                         "10.0.0.0/",
                         "10.0.0.0/33",
                         "::/129",
                         "10.0.0.0/-1",
                         "10.0.0.0/08",
                         "10.0.0.0/8/8",
                         "10.0.0.0 /8",
                         "10.0.0/8",
                         "example.com",
                         "10.1.2.3/8",
                         "::ffff:10.0.0.0/104",
                         "::ffff:127.0.0.1",
                         "2001:db8::1/32",
                         "10.0.0.0/a"};
    for (const char* text : bad) {
        std::string problem;
        INFO(text);
        CHECK_FALSE(parse_cidr(text, problem));
        CHECK_FALSE(problem.empty());
    }
}

TEST_CASE("CIDR matching") {
    CHECK(contains("127.0.0.0/8", "127.0.0.1"));
    CHECK(contains("127.0.0.0/8", "127.255.255.255"));
    CHECK_FALSE(contains("127.0.0.0/8", "128.0.0.1"));
    CHECK(contains("10.0.0.0/9", "10.127.0.1"));
    CHECK_FALSE(contains("10.0.0.0/9", "10.128.0.1"));
    CHECK(contains("0.0.0.0/0", "203.0.113.7"));
    CHECK_FALSE(contains("0.0.0.0/0", "::1"));
    CHECK(contains("::1/128", "::1"));
    CHECK_FALSE(contains("::1/128", "::2"));
    CHECK(contains("2001:db8::/32", "2001:db8:ffff::1"));
    CHECK_FALSE(contains("2001:db8::/32", "2001:db9::1"));
    CHECK(contains("::/0", "2001:db8::1"));
    // A dual-stack socket shows IPv4 peers as ::ffff:a.b.c.d: they are matched as IPv4.
    CHECK(contains("127.0.0.0/8", "::ffff:127.0.0.1"));
    CHECK_FALSE(contains("10.0.0.0/8", "::ffff:127.0.0.1"));
    CHECK_FALSE(contains("::/0", "::ffff:127.0.0.1"));
}
