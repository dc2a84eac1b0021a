// CGI response head (RFC 3875 §6): the three kinds of response, line ends, errors, the max_head
// boundary, incremental feeding and rendering.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "worker/cgi/response_head.hpp"

using namespace httpserve::cgi;

namespace {

constexpr size_t kMax = 64 * 1024;

CgiHead complete(std::string_view in, size_t max_head = kMax) {
    CgiHead h;
    const CgiHeadStatus st = parse_cgi_head(in, max_head, h);
    INFO("input: " << std::string(in.substr(0, 200)) << " error: " << h.error);
    REQUIRE(st == CgiHeadStatus::Complete);
    return h;
}

std::string error_of(std::string_view in, size_t max_head = kMax) {
    CgiHead h;
    const CgiHeadStatus st = parse_cgi_head(in, max_head, h);
    INFO("input: " << std::string(in.substr(0, 200)));
    REQUIRE(st == CgiHeadStatus::Error);
    CHECK_FALSE(h.error.empty());
    return h.error;
}

CgiHeadStatus status_of(std::string_view in, size_t max_head = kMax) {
    CgiHead h;
    return parse_cgi_head(in, max_head, h);
}

}  // namespace

// ================================================================ document responses

TEST_CASE("cgi head: a document with CRLF and with LF line ends", "[cgi]") {
    for (std::string_view eol : {"\r\n", "\n"}) {
        const std::string head =
            "Content-Type: text/html" + std::string(eol) + "X-A: 1" + std::string(eol) + std::string(eol);
        const std::string in = head + "<p>body</p>\n";
        const CgiHead h = complete(in);
        CHECK(h.kind == CgiResponseKind::Document);
        CHECK(h.status == 200);
        CHECK(h.reason == "OK");
        CHECK_FALSE(h.status_given);
        CHECK(h.content_type == "text/html");
        CHECK(h.location.empty());
        CHECK(h.body_from_script);
        CHECK_FALSE(h.content_length);
        REQUIRE(h.fields.size() == 1);
        CHECK(h.fields[0].name == "X-A");
        CHECK(h.fields[0].value == "1");
        CHECK(h.body_offset == head.size());
        CHECK(in.substr(h.body_offset) == "<p>body</p>\n");
        CHECK(render_cgi_response_headers(h) == "Content-Type: text/html\r\nX-A: 1\r\n");
    }
    // Mixed line ends are fine too.
    CHECK(complete("Content-Type: a/b\r\nX: y\n\r\n").body_offset == 26);
}

TEST_CASE("cgi head: Status with and without a reason", "[cgi]") {
    CgiHead h = complete("Status: 404 Not Here\r\nContent-Type: text/plain\r\n\r\nnope");
    CHECK(h.kind == CgiResponseKind::Document);
    CHECK(h.status == 404);
    CHECK(h.reason == "Not Here");
    CHECK(h.status_given);

    h = complete("Content-Type: text/plain\nStatus: 418\n\n");
    CHECK(h.status == 418);
    CHECK(h.reason == "I'm a Teapot");  // Python's HTTPStatus phrase

    h = complete("status:500   Oops  it  broke \nContent-type: text/plain\n\n");
    CHECK(h.status == 500);
    CHECK(h.reason == "Oops  it  broke");
    CHECK(h.content_type == "text/plain");

    h = complete("Status: 299\nContent-Type: a/b\n\n");
    CHECK(h.status == 299);
    CHECK(h.reason.empty());  // no standard phrase

    h = complete("Status: 200\tFine\nContent-Type: a/b\n\n");
    CHECK(h.reason == "Fine");

    // Status is never rendered as a field.
    CHECK(render_cgi_response_headers(h) == "Content-Type: a/b\r\n");
}

TEST_CASE("cgi head: 204 and 304 need no Content-Type and have no body", "[cgi]") {
    CgiHead h = complete("Status: 204 No Content\r\n\r\n");
    CHECK(h.kind == CgiResponseKind::Document);
    CHECK(h.status == 204);
    CHECK_FALSE(h.body_from_script);
    CHECK(render_cgi_response_headers(h).empty());

    h = complete("Status: 304\r\nETag: \"x\"\r\n\r\n");
    CHECK(h.status == 304);
    CHECK(h.reason == "Not Modified");
    CHECK_FALSE(h.body_from_script);
    CHECK(render_cgi_response_headers(h) == "ETag: \"x\"\r\n");

    h = complete("Status: 304\r\nContent-Type: text/html\r\n\r\n");
    CHECK_FALSE(h.body_from_script);
}

// ================================================================ redirects

TEST_CASE("cgi head: a local redirect (§6.2.2)", "[cgi]") {
    CgiHead h = complete("Location: /other/page?x=1\r\n\r\n");
    CHECK(h.kind == CgiResponseKind::LocalRedirect);
    CHECK(h.location == "/other/page?x=1");
    CHECK_FALSE(h.body_from_script);
    CHECK(render_cgi_response_headers(h).empty());

    // Other fields and a body are ignored (the script should send only Location).
    h = complete("Location: /\nContent-Type: text/html\nX-A: b\n\nignored");
    CHECK(h.kind == CgiResponseKind::LocalRedirect);
    CHECK(h.location == "/");
    CHECK_FALSE(h.body_from_script);
}

TEST_CASE("cgi head: a client redirect (§6.2.3, §6.2.4)", "[cgi]") {
    CgiHead h = complete("Location: https://example.com/x\r\n\r\n");
    CHECK(h.kind == CgiResponseKind::ClientRedirect);
    CHECK(h.status == 302);
    CHECK(h.reason == "Found");
    CHECK_FALSE(h.status_given);
    CHECK_FALSE(h.body_from_script);
    CHECK(render_cgi_response_headers(h) == "Location: https://example.com/x\r\n");

    // With a document: Status, Content-Type and a body.
    h = complete(
        "Status: 301 Moved\r\nLocation: http://e.example/\r\nContent-Type: text/html\r\nSet-Cookie: a=1\r\n"
        "Set-Cookie: b=2\r\n\r\n<a href=...>");
    CHECK(h.kind == CgiResponseKind::ClientRedirect);
    CHECK(h.status == 301);
    CHECK(h.reason == "Moved");
    CHECK(h.body_from_script);
    CHECK(render_cgi_response_headers(h) ==
          "Content-Type: text/html\r\nLocation: http://e.example/\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n");

    // A local path with a Status goes to the client as it is.
    h = complete("Status: 303 See Other\nLocation: /done\n\n");
    CHECK(h.kind == CgiResponseKind::ClientRedirect);
    CHECK(h.status == 303);
    CHECK(render_cgi_response_headers(h) == "Location: /done\r\n");

    // "//host/..." is a network-path reference, not a local path.
    h = complete("Location: //evil.example/x\n\n");
    CHECK(h.kind == CgiResponseKind::ClientRedirect);
    CHECK(h.status == 302);
    // So is a relative reference.
    CHECK(complete("Location: next.html\n\n").kind == CgiResponseKind::ClientRedirect);
}

// ================================================================ fields

TEST_CASE("cgi head: hop-by-hop, Date and Server are dropped; Content-Length is exposed", "[cgi]") {
    const CgiHead h = complete(
        "Content-Type: text/plain\r\nConnection: close\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n"
        "TE: trailers\r\nTrailer: X\r\nUpgrade: h2c\r\nProxy-Connection: keep-alive\r\nDate: Mon, 01 Jan 2024 "
        "00:00:00 GMT\r\nServer: evil\r\nContent-Length: 42\r\nCache-Control: no-store\r\n\r\n");
    CHECK(h.content_length == 42u);
    REQUIRE(h.fields.size() == 1);
    CHECK(h.fields[0].name == "Cache-Control");
    CHECK(render_cgi_response_headers(h) == "Content-Type: text/plain\r\nCache-Control: no-store\r\n");

    CHECK_FALSE(complete("Content-Type: a/b\nContent-Length: 4x\n\n").content_length);  // ignored
    CHECK_FALSE(complete("Content-Type: a/b\nContent-Length: -1\n\n").content_length);
    CHECK_FALSE(complete("Content-Type: a/b\nContent-Length: 99999999999999999999\n\n").content_length);
    CHECK(complete("Content-Type: a/b\nContent-Length: 18446744073709551615\n\n").content_length ==
          18446744073709551615u);
    CHECK(complete("Content-Type: a/b\nContent-Length: 0\n\n").content_length == 0u);
    CHECK(complete("Content-Type: a/b\nContent-Length: 5\nContent-Length: 5\n\n").content_length == 5u);
    CHECK_THAT(error_of("Content-Type: a/b\nContent-Length: 5\nContent-Length: 6\n\n"),
               Catch::Contains("Content-Length"));
}

TEST_CASE("cgi head: values are trimmed, names kept as written", "[cgi]") {
    const CgiHead h = complete("content-type:\t text/plain; charset=utf-8 \t\nx-EMPTY:\nX-Tab: a\tb\n\n");
    CHECK(h.content_type == "text/plain; charset=utf-8");
    REQUIRE(h.fields.size() == 2);
    CHECK(h.fields[0].name == "x-EMPTY");
    CHECK(h.fields[0].value.empty());
    CHECK(h.fields[1].value == "a\tb");
    CHECK(render_cgi_response_headers(h) == "Content-Type: text/plain; charset=utf-8\r\nx-EMPTY: \r\nX-Tab: a\tb\r\n");
    // obs-text passes.
    CHECK(complete("Content-Type: a/b\nX-L: caf\xE9\n\n").fields[0].value == "caf\xE9");
}

// ================================================================ errors

TEST_CASE("cgi head: malformed lines", "[cgi]") {
    CHECK_THAT(error_of("<html>\n\n"), Catch::Contains("without a colon"));
    CHECK_THAT(error_of("Content-Type: a/b\nHTTP/1.1 200 OK\n\n"), Catch::Contains("without a colon"));
    CHECK_THAT(error_of("Content Type: a/b\n\n"), Catch::Contains("invalid name"));
    CHECK_THAT(error_of("Content-Type : a/b\n\n"), Catch::Contains("invalid name"));
    CHECK_THAT(error_of(": a/b\n\n"), Catch::Contains("invalid name"));
    CHECK_THAT(error_of("Content-Type: a/b\n folded\n\n"), Catch::Contains("continuation"));
    CHECK_THAT(error_of("Content-Type: a/b\r\n\tfolded\r\n\r\n"), Catch::Contains("continuation"));
    CHECK_THAT(error_of("Content-Type: a/b\rX: y\n\n"), Catch::Contains("bare CR"));
    CHECK_THAT(error_of("Content-Type: a/b\nX: a\rb\r\n\r\n"), Catch::Contains("bare CR"));
    CHECK_THAT(error_of(std::string_view("Content-Type: a/b\nX: a\0b\n\n", 26)), Catch::Contains("control"));
    CHECK_THAT(error_of("Content-Type: a/b\nX: a\x7F\n\n"), Catch::Contains("control"));
    CHECK_THAT(error_of("Content-Type: a/b\nX: \x1B[31m\n\n"), Catch::Contains("control"));
}

TEST_CASE("cgi head: bad Status", "[cgi]") {
    for (std::string_view s : {"Status: 20\n", "Status: 2000\n", "Status: abc\n", "Status: 099 Low\n",
                               "Status: 600 High\n", "Status: 100 Continue\n", "Status: 101 Switching\n",
                               "Status: 200OK\n", "Status:\n", "Status: +20 x\n", "Status: 2 00\n"}) {
        const std::string in = "Content-Type: a/b\n" + std::string(s) + "\n";
        CHECK_THAT(error_of(in), Catch::Contains("Status"));
    }
}

TEST_CASE("cgi head: duplicates and missing fields", "[cgi]") {
    CHECK_THAT(error_of("Status: 200\nStatus: 200\nContent-Type: a/b\n\n"), Catch::Contains("twice"));
    CHECK_THAT(error_of("Location: /a\nLocation: /b\n\n"), Catch::Contains("twice"));
    CHECK_THAT(error_of("Content-Type: a/b\nContent-Type: c/d\n\n"), Catch::Contains("twice"));
    CHECK_THAT(error_of("Content-Type:\n\n"), Catch::Contains("empty"));
    CHECK_THAT(error_of("Location:  \n\n"), Catch::Contains("empty"));
    CHECK_THAT(error_of("\n"), Catch::Contains("neither"));
    CHECK_THAT(error_of("\r\nbody"), Catch::Contains("neither"));
    CHECK_THAT(error_of("X-A: b\n\n"), Catch::Contains("neither"));
    CHECK_THAT(error_of("Status: 200 OK\n\n"), Catch::Contains("neither"));
}

// ================================================================ incremental, limits

TEST_CASE("cgi head: incomplete until the empty line, errors as soon as a line is bad", "[cgi]") {
    const std::string full = "Status: 201 Created\r\nContent-Type: text/plain\r\nX-A: b\r\n\r\nbody";
    const size_t head_length = full.find("\r\n\r\n") + 4;
    for (size_t n = 0; n < head_length; ++n) {
        INFO("prefix length " << n);
        CHECK(status_of(std::string_view(full).substr(0, n)) == CgiHeadStatus::Incomplete);
    }
    for (size_t n = head_length; n <= full.size(); ++n) {
        const CgiHead h = complete(std::string_view(full).substr(0, n));
        CHECK(h.body_offset == head_length);
        CHECK(h.status == 201);
    }
    // A bad complete line is reported before the head ends.
    CHECK(status_of("Content-Type: a/b\r\nno colon here\r\n") == CgiHeadStatus::Error);
    CHECK(status_of("Content-Type: a/b\r\nno colon here") == CgiHeadStatus::Incomplete);
    CHECK(status_of("Status: 1000\n") == CgiHeadStatus::Error);
    CHECK(status_of("Content-Type: a/b\r") == CgiHeadStatus::Incomplete);
}

TEST_CASE("cgi head: the max_head boundary", "[cgi]") {
    // A head of exactly max_head bytes (including its empty line) is accepted, one more is not.
    const std::string prefix = "Content-Type: text/plain\r\nX-Pad: ";
    const size_t max_head = 200;
    std::string exact = prefix + std::string(max_head - prefix.size() - 4, 'p') + "\r\n\r\n";
    REQUIRE(exact.size() == max_head);
    CHECK(complete(exact + "body", max_head).body_offset == max_head);
    CHECK(complete(exact, max_head).body_offset == max_head);

    const std::string over = prefix + std::string(max_head - prefix.size() - 3, 'p') + "\r\n\r\n";
    CHECK_THAT(error_of(over, max_head), Catch::Contains("larger than 200 bytes"));
    CHECK_THAT(error_of(over + "body", max_head), Catch::Contains("larger than"));
    // LF-only ends count their real length.
    const std::string lf_exact = prefix + std::string(max_head - prefix.size() - 2, 'p') + "\n\n";
    CHECK(complete(lf_exact, max_head).body_offset == max_head);

    // Without an end: incomplete below max_head, an error from max_head bytes on.
    const std::string open = prefix + std::string(500, 'p');
    CHECK(status_of(std::string_view(open).substr(0, max_head - 1), max_head) == CgiHeadStatus::Incomplete);
    CHECK(status_of(std::string_view(open).substr(0, max_head), max_head) == CgiHeadStatus::Error);
    CHECK(status_of(open, max_head) == CgiHeadStatus::Error);
    // The CR of the final CRLF at max_head - 1: the LF would make it max_head + 1 bytes.
    const std::string cr_at_end = prefix + std::string(max_head - prefix.size() - 3, 'p') + "\r\n\r";
    REQUIRE(cr_at_end.size() == max_head);
    CHECK(status_of(cr_at_end, max_head) == CgiHeadStatus::Error);
    CHECK(status_of(std::string_view(cr_at_end).substr(0, max_head - 1), max_head) == CgiHeadStatus::Incomplete);

    CHECK(status_of("", 0) == CgiHeadStatus::Error);
    CHECK(status_of("", kMax) == CgiHeadStatus::Incomplete);
}

TEST_CASE("cgi head: the output is reset on every call", "[cgi]") {
    CgiHead h;
    REQUIRE(parse_cgi_head("Status: 404\nContent-Type: a/b\nX: 1\n\n", kMax, h) == CgiHeadStatus::Complete);
    REQUIRE(parse_cgi_head("Location: http://x/\n\n", kMax, h) == CgiHeadStatus::Complete);
    CHECK(h.kind == CgiResponseKind::ClientRedirect);
    CHECK(h.status == 302);
    CHECK(h.content_type.empty());
    CHECK(h.fields.empty());
    CHECK(h.error.empty());
}
