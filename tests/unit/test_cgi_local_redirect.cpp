// local_redirect_request: the request a CGI local redirect makes (RFC 3875 §6.2.2), built field by
// field. Checked against what the server did before, which wrote the request out as text and parsed
// it again: both must agree on every field, on the log line, and on which locations are refused.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "common/ascii.hpp"
#include "tests/unit/support/parsed_request.hpp"
#include "worker/cgi/local_redirect.hpp"
#include "worker/http/request_parser.hpp"

using namespace httpserve;
using namespace httpserve::http;
using httpserve::test::parsed;

namespace {

// The former way: a GET head for `location` written out from the original, then parsed.
struct Reparsed {
    std::string head;
    Request request;
    bool ok = false;
    std::string_view line;  // the request line as the log showed it
};

void reparse(const Request& r, std::string_view location, const ParseLimits& limits, Reparsed& out) {
    std::string& head = out.head;
    head.append("GET ").append(location);
    if (r.http09) {
        head.append("\r\n");
    } else {
        head.append(" HTTP/")
            .append(std::to_string(r.version_major))
            .append(".")
            .append(std::to_string(r.version_minor));
        head.append("\r\n");
        for (const Header& h : r.headers) {
            if (iequals_ascii(h.name, "Content-Length") || iequals_ascii(h.name, "Transfer-Encoding") ||
                iequals_ascii(h.name, "Expect")) {
                continue;
            }
            head.append(h.name).append(": ").append(h.value).append("\r\n");
        }
        head.append("\r\n");
    }
    ParseError error;
    out.ok = parse_request(head, limits, out.request, error) == ParseStatus::Complete;
    if (out.ok) out.line = std::string_view(head).substr(0, head.find('\r'));
}

// Builds the redirect both ways and checks that they agree; returns the new way's result.
std::optional<OwnedRequest> agreed(const Request& original, std::string_view location, const ParseLimits& limits = {}) {
    std::optional<OwnedRequest> built = cgi::local_redirect_request(original, location, limits);
    Reparsed old;
    reparse(original, location, limits, old);
    INFO("location: " << std::string(location.substr(0, 100)) << " (" << location.size() << " bytes)");
    REQUIRE(built.has_value() == old.ok);
    if (!built) return built;
    const Request& a = built->request();
    const Request& b = old.request;
    CHECK(a.method == b.method);
    CHECK(a.target == b.target);
    CHECK(a.version_major == b.version_major);
    CHECK(a.version_minor == b.version_minor);
    CHECK(a.http09 == b.http09);
    CHECK(a.body == b.body);
    CHECK(a.content_length == b.content_length);
    CHECK(a.connection == b.connection);
    CHECK(a.expect_continue == b.expect_continue);
    REQUIRE(a.headers.size() == b.headers.size());
    for (size_t i = 0; i < a.headers.size(); ++i) {
        CHECK(a.headers[i].name == b.headers[i].name);
        CHECK(a.headers[i].value == b.headers[i].value);
    }
    CHECK(built->line() == old.line);
    return built;
}

constexpr std::string_view kPost =
    "POST /cgi-bin/go.py?x=1 HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "Content-Length: 5\r\n"
    "User-Agent: t/1\r\n"
    "Expect: 100-continue\r\n"
    "Cookie: a=b\r\n"
    "Connection: close\r\n"
    "\r\n";

}  // namespace

TEST_CASE("local redirect: a GET of the location with the original's fields", "[cgi][redirect]") {
    const Request original = parsed(kPost);
    const auto next = agreed(original, "/docs/a.txt?q=2");
    REQUIRE(next);
    const Request& r = next->request();
    CHECK(r.method == "GET");
    CHECK(r.target == "/docs/a.txt?q=2");
    CHECK(r.version_major == 1);
    CHECK(r.version_minor == 1);
    CHECK(next->line() == "GET /docs/a.txt?q=2 HTTP/1.1");
    // The body's fields go (a GET has no body); all others stay, in order.
    REQUIRE(r.headers.size() == 4);
    CHECK(r.headers[0].name == "Host");
    CHECK(r.headers[1].name == "User-Agent");
    CHECK(r.headers[2].name == "Cookie");
    CHECK(r.headers[2].value == "a=b");
    CHECK(r.headers[3].name == "Connection");
    CHECK(r.body == BodyFraming::None);
    CHECK(r.content_length == 0);
    CHECK_FALSE(r.expect_continue);
    CHECK(r.connection == ConnectionToken::Close);
    CHECK(r.find("content-length") == nullptr);
}

TEST_CASE("local redirect: body fields are dropped whatever their case", "[cgi][redirect]") {
    const Request original =
        parsed("POST /cgi-bin/a HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked\r\nEXPECT: 100-continue\r\n\r\n");
    const auto next = agreed(original, "/cgi-bin/env.py?via=redirect");
    REQUIRE(next);
    REQUIRE(next->request().headers.size() == 1);
    CHECK(next->request().headers[0].name == "Host");
    CHECK(next->request().body == BodyFraming::None);
}

TEST_CASE("local redirect: the original's version, HTTP/0.9 included", "[cgi][redirect]") {
    const auto v10 = agreed(parsed("GET /cgi-bin/a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), "/b");
    REQUIRE(v10);
    CHECK(v10->request().version_minor == 0);
    CHECK(v10->request().connection == ConnectionToken::KeepAlive);
    CHECK(v10->line() == "GET /b HTTP/1.0");

    const auto v09 = agreed(parsed("GET /cgi-bin/a\r\n"), "/b?c");
    REQUIRE(v09);
    CHECK(v09->request().http09);
    CHECK(v09->request().version_major == 0);
    CHECK(v09->request().version_minor == 9);
    CHECK(v09->request().target == "/b?c");
    CHECK(v09->line() == "GET /b?c");

    const auto explicit09 = agreed(parsed("GET /cgi-bin/a HTTP/0.9\r\nHost: h\r\n\r\n"), "/b");
    REQUIRE(explicit09);
    CHECK_FALSE(explicit09->request().http09);
    CHECK(explicit09->request().headers.size() == 1);
    CHECK(explicit09->line() == "GET /b HTTP/0.9");

    const auto padded = agreed(parsed("GET /cgi-bin/a HTTP/01.001\r\nHost: h\r\n\r\n"), "/b");
    REQUIRE(padded);
    CHECK(padded->line() == "GET /b HTTP/1.1");
}

TEST_CASE("local redirect: a location of several words is refused", "[cgi][redirect]") {
    const Request v11 = parsed(kPost);
    const Request v09 = parsed("GET /cgi-bin/a\r\n");
    for (std::string_view location : {"/a b", "/a\tb", "/a HTTP/1.1",
                                      "/a\xA0"
                                      "b",
                                      "/a\x85"
                                      "b"}) {
        CHECK_FALSE(agreed(v11, location));
        CHECK_FALSE(agreed(v09, location));
    }
}

TEST_CASE("local redirect: NEL and NBSP are refused, not taken as separators", "[cgi][redirect]") {
    // Python splits a request line at U+0085 and U+00A0 too; the parser refuses such a line, and so
    // does a local redirect, wherever the byte is.
    for (std::string_view location : {"/a.txt\xA0", "/a.txt\x85\xA0", "\xA0/a.txt"}) {
        CHECK_FALSE(agreed(parsed(kPost), location));
        CHECK_FALSE(agreed(parsed("GET /cgi-bin/a\r\n"), location));
    }
    const auto spaced = agreed(parsed(kPost), "/a.txt \t");  // trailing SP and HTAB are dropped
    REQUIRE(spaced);
    CHECK(spaced->request().target == "/a.txt");
}

// A CGI head holds no control character but HTAB; a location with one is refused outright (the
// former way let a few through as word separators).
TEST_CASE("local redirect: control characters are refused", "[cgi][redirect]") {
    const Request original = parsed(kPost);
    for (std::string_view location : {"/a\x7F", "/a\x01", "/a\r", "/a\x1F"}) {
        CHECK_FALSE(cgi::local_redirect_request(original, location, ParseLimits{}));
    }
    CHECK_FALSE(agreed(original, "/a\x7F"));
    CHECK_FALSE(agreed(original, "/a\x01"));
}

TEST_CASE("local redirect: the request line limit, to the byte", "[cgi][redirect]") {
    ParseLimits limits;
    limits.max_request_line = 64;
    const Request v11 = parsed(kPost);
    const Request v09 = parsed("GET /cgi-bin/a\r\n");
    // "GET " + location + " HTTP/1.1" + CRLF: 15 bytes around the location.
    const std::string fits = "/" + std::string(64 - 15 - 1, 'a');
    CHECK(agreed(v11, fits, limits));
    CHECK_FALSE(agreed(v11, fits + "a", limits));
    // "GET " + location + CRLF: 6 bytes.
    const std::string fits09 = "/" + std::string(64 - 6 - 1, 'a');
    CHECK(agreed(v09, fits09, limits));
    CHECK_FALSE(agreed(v09, fits09 + "a", limits));
}
