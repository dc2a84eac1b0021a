// parse_request: Python's request-line rules and messages, strict RFC 9112 header rules, limits at
// their exact boundaries, pipelining and incremental feeding.
#include <catch2/catch.hpp>

#include <climits>
#include <string>
#include <string_view>

#include "worker/http/request_parser.hpp"

using namespace httpserve::http;

namespace {

struct Outcome {
    ParseStatus status;
    ParseError error;
};

// For error checks: the Request's views die with it, only the status and error are kept.
Outcome run(std::string_view input, const ParseLimits& limits = {}) {
    Request req;
    Outcome o{ParseStatus::Incomplete, {}};
    o.status = parse_request(input, limits, req, o.error);
    return o;
}

// Expects an Error with this status and reason.
void expect_error(std::string_view input, int status, std::string_view reason, const ParseLimits& limits = {}) {
    const Outcome o = run(input, limits);
    INFO("input: " << std::string(input.substr(0, 200)));
    REQUIRE(o.status == ParseStatus::Error);
    CHECK(o.error.status == status);
    CHECK(o.error.reason == reason);
}

void expect_complete(std::string_view input, Request& req, const ParseLimits& limits = {}) {
    ParseError err;
    const ParseStatus st = parse_request(input, limits, req, err);
    INFO("input: " << std::string(input.substr(0, 200)) << " -> " << err.status << " " << err.reason);
    REQUIRE(st == ParseStatus::Complete);
}

// An HTTP/1.1 head (no blank line yet) of `count` header lines in all: Host, then fillers.
std::string with_headers(int count) {
    std::string s = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < count; ++i) s += i == 0 ? std::string("Host: h\r\n") : "X-H" + std::to_string(i) + ": v\r\n";
    return s;
}

}  // namespace

// ================================================================ request line

TEST_CASE("parser: a simple request", "[parser]") {
    const std::string_view in = "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
    Request r;
    expect_complete(in, r);
    CHECK(r.method == "GET");
    CHECK(r.target == "/index.html");
    CHECK(r.version_major == 1);
    CHECK(r.version_minor == 1);
    CHECK_FALSE(r.http09);
    REQUIRE(r.headers.size() == 2);
    CHECK(r.headers[0].name == "Host");
    CHECK(r.headers[0].value == "example.com");
    CHECK(r.headers[1].name == "Accept");
    CHECK(r.headers[1].value == "*/*");
    CHECK(r.head_length == in.size());
    CHECK(r.body == BodyFraming::None);
    CHECK(r.connection == ConnectionToken::None);
    CHECK_FALSE(r.expect_continue);
}

TEST_CASE("parser: views point into the buffer", "[parser]") {
    const std::string in = "HEAD /a?b=c HTTP/1.0\r\nUser-Agent: t\r\n\r\n";
    Request r;
    expect_complete(in, r);
    CHECK(r.method.data() == in.data());
    CHECK(r.target.data() == in.data() + 5);
    CHECK(r.headers[0].name.data() == in.data() + 22);
    CHECK(r.version_major == 1);
    CHECK(r.version_minor == 0);
}

TEST_CASE("parser: no headers", "[parser]") {
    Request r;
    expect_complete("GET / HTTP/1.0\r\n\r\n", r);
    CHECK(r.headers.empty());
    CHECK(r.head_length == 18);
}

TEST_CASE("parser: LF-only line endings", "[parser]") {
    const std::string_view in = "GET /x HTTP/1.1\nHost: a\n\n";
    Request r;
    expect_complete(in, r);
    CHECK(r.target == "/x");
    CHECK(r.headers.size() == 1);
    CHECK(r.headers[0].value == "a");
    CHECK(r.head_length == in.size());
}

TEST_CASE("parser: mixed line endings", "[parser]") {
    Request r;
    expect_complete("GET / HTTP/1.1\nHost: h\nA: 1\r\nB: 2\n\r\n", r);
    CHECK(r.headers.size() == 3);
}

TEST_CASE("parser: trailing CRs of the request line are stripped like rstrip", "[parser]") {
    Request r;
    expect_complete("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", r);
    CHECK(r.version_minor == 1);
    CHECK(r.head_length == 28);
}

TEST_CASE("parser: leading empty lines are skipped and counted", "[parser]") {
    const std::string_view in = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
    Request r;
    expect_complete(in, r);
    CHECK(r.method == "GET");
    CHECK(r.head_length == in.size());
    CHECK(run("\r\n").status == ParseStatus::Incomplete);
    CHECK(run("\r\n\r\n\r").status == ParseStatus::Incomplete);
}

TEST_CASE("parser: empty lines before the request line are bounded", "[parser]") {
    ParseLimits lim;
    lim.max_request_line = 64;
    std::string ok(30, '\n');
    ok += "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    Request r;
    expect_complete(ok, r, lim);
    expect_error(std::string(70, '\n'), 400, "Bad request syntax (too many empty lines before the request line)", lim);
    expect_error(std::string(200, '\r') + "\n", 414, "URI Too Long", lim);  // one long line of CRs
}

TEST_CASE("parser: repeated whitespace between words", "[parser]") {
    Request r;
    expect_complete("GET   /a \t HTTP/1.1\r\nHost: h\r\n\r\n", r);
    CHECK(r.method == "GET");
    CHECK(r.target == "/a");
    expect_complete("  GET /a HTTP/1.1  \r\nHost: h\r\n\r\n", r);  // Python's split() ignores the edges
    CHECK(r.target == "/a");
    expect_complete("\tGET\t/a\tHTTP/1.1\t\r\nHost: h\r\n\r\n", r);  // HTAB too (RFC 9112 §3 allows it)
    CHECK(r.target == "/a");
}

TEST_CASE("parser: bare CR in the request line", "[parser]") {
    expect_error("GET /\r HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('GET /\\r HTTP/1.1')");
    expect_error("GET\r/ HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('GET\\r/ HTTP/1.1')");
    expect_error("\rGET / HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('\\rGET / HTTP/1.1')");
}

TEST_CASE("parser: a line of whitespace only", "[parser]") {
    expect_error("  \t\r\n\r\n", 400, "Bad request syntax ('  \\t')");
    expect_error("\x0b\r\n", 400, "Bad request syntax ('\\x0b')");
}

TEST_CASE("parser: only SP and HTAB split the request line", "[parser]") {
    // Python's str.split() also splits at VT, FF, FS..US, NEL and NBSP (Python answers 200 to
    // "GET\x0b/a\x1cHTTP/1.0"). RFC 9112 §3 allows SP (and HTAB): a line holding one of the others
    // is a 400 wherever it is, so no two parsers can read different fields out of it.
    for (const char* space : {"\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0"}) {
        const std::string sp = space;
        INFO("separator byte " << static_cast<int>(static_cast<unsigned char>(sp[0])));
        const std::string line = "GET" + sp + "/a" + sp + "HTTP/1.0";
        CHECK(run(line + "\r\n\r\n").status == ParseStatus::Error);
        CHECK(run("GET /a" + sp + "HTTP/1.0\r\n\r\n").status == ParseStatus::Error);   // not HTTP/0.9
        CHECK(run("GET /a HTTP/1.0" + sp + "\r\n\r\n").status == ParseStatus::Error);  // not stripped
        CHECK(run(sp + "GET /a HTTP/1.0\r\n\r\n").status == ParseStatus::Error);
        CHECK(run("GET /a" + sp + "b\r\n").status == ParseStatus::Error);  // HTTP/0.9 too
    }
    expect_error("GET\x0b/a\x1cHTTP/1.0\r\n\r\n", 400, "Bad request syntax ('GET\\x0b/a\\x1cHTTP/1.0')");
    expect_error("GET /a\xa0.txt HTTP/1.0\r\n\r\n", 400, "Bad request syntax ('GET /a\\xa0.txt HTTP/1.0')");
    expect_error(
        "GET /a\x85"
        "b HTTP/1.0\r\n\r\n",
        400, "Bad request syntax ('GET /a\\x85b HTTP/1.0')");
    expect_error("GET /a HTTP/1.0\xa0\r\n\r\n", 400, "Bad request syntax ('GET /a HTTP/1.0\\xa0')");
    Request r;
    // Other bytes >= 0x80 are left to the path mapper (though "\xc3\xa0", UTF-8 for U+00E0, holds 0xA0).
    expect_complete("GET /caf\xc3\xa9 HTTP/1.0\r\n\r\n", r);
    CHECK(r.target == "/caf\xc3\xa9");
}

TEST_CASE("parser: too many words", "[parser]") {
    expect_error("GET /sp ace/ HTTP/1.0\r\n\r\n", 400, "Bad request syntax ('GET /sp ace/ HTTP/1.0')");
    expect_error("GET /spaced out HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('GET /spaced out HTTP/1.1')");
    // repr switches to double quotes when the text has a single quote.
    expect_error("GET /it's a HTTP/1.1\r\n\r\n", 400, "Bad request syntax (\"GET /it's a HTTP/1.1\")");
}

TEST_CASE("parser: one word", "[parser]") {
    expect_error("GET\r\n\r\n", 400, "Bad request syntax ('GET')");
    expect_error("/index.html\n", 400, "Bad request syntax ('/index.html')");
}

TEST_CASE("parser: bad versions", "[parser]") {
    expect_error("GET / FOO/1.0\r\n\r\n", 400, "Bad request version ('FOO/1.0')");
    expect_error("GET / http/1.0\r\n\r\n", 400, "Bad request version ('http/1.0')");
    expect_error("GET / HTTP/1\r\n\r\n", 400, "Bad request version ('HTTP/1')");
    expect_error("GET / HTTP/1.\r\n\r\n", 400, "Bad request version ('HTTP/1.')");
    expect_error("GET / HTTP/.1\r\n\r\n", 400, "Bad request version ('HTTP/.1')");
    expect_error("GET / HTTP/1.1.1\r\n\r\n", 400, "Bad request version ('HTTP/1.1.1')");
    expect_error("GET / HTTP/a.b\r\n\r\n", 400, "Bad request version ('HTTP/a.b')");
    expect_error("GET / HTTP/+1.0\r\n\r\n", 400, "Bad request version ('HTTP/+1.0')");
    expect_error("GET / HTTP/1.-1\r\n\r\n", 400, "Bad request version ('HTTP/1.-1')");
    expect_error("GET / HTTP/\r\n\r\n", 400, "Bad request version ('HTTP/')");
    expect_error("GET / HTTP\r\n\r\n", 400, "Bad request version ('HTTP')");
    expect_error("GET / HTTP/1.1/\r\n\r\n", 400, "Bad request version ('HTTP/1.1/')");
    expect_error("GET / HTTP/12345678901.0\r\n\r\n", 400, "Bad request version ('HTTP/12345678901.0')");
    expect_error("GET / HTTP/1.00000000000\r\n\r\n", 400, "Bad request version ('HTTP/1.00000000000')");
    expect_error("GET / HTTP/\xb2.0\r\n\r\n", 400,
                 "Bad request version ('HTTP/\xb2.0')");  // isdigit, not int
    expect_error("GET / HTTP/1.1\x01\r\n\r\n", 400, "Bad request version ('HTTP/1.1\\x01')");
    expect_error("GET / HTTP/1.1's\r\n\r\n", 400, "Bad request version (\"HTTP/1.1's\")");
}

TEST_CASE("parser: HTTP/2 and later are 505", "[parser]") {
    expect_error("GET / HTTP/2.0\r\n\r\n", 505, "Invalid HTTP version (2.0)");
    expect_error("GET / HTTP/3.0\r\n\r\n", 505, "Invalid HTTP version (3.0)");
    expect_error("GET / HTTP/2.1\r\n\r\n", 505, "Invalid HTTP version (2.1)");
    expect_error("GET / HTTP/9999999999.0\r\n\r\n", 505, "Invalid HTTP version (9999999999.0)");
    // Python formats the text after "HTTP/" as sent.
    expect_error("GET / HTTP/02.0\r\n\r\n", 505, "Invalid HTTP version (02.0)");
}

TEST_CASE("parser: the order of Python's request-line checks", "[parser]") {
    // Version first, then 505, then the word count.
    expect_error("GET /a b FOO\r\n\r\n", 400, "Bad request version ('FOO')");
    expect_error("GET /a b HTTP/2.0\r\n\r\n", 505, "Invalid HTTP version (2.0)");
    expect_error("G\x01T /a b HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('G\\x01T /a b HTTP/1.1')");
}

TEST_CASE("parser: unusual but valid versions", "[parser]") {
    Request r;
    expect_complete("GET / HTTP/1.2\r\nHost: h\r\n\r\n", r);
    CHECK(r.version_major == 1);
    CHECK(r.version_minor == 2);
    expect_complete("GET / HTTP/01.00\r\n\r\n", r);
    CHECK(r.version_major == 1);
    CHECK(r.version_minor == 0);
    expect_complete("GET / HTTP/1.9999999999\r\nHost: h\r\n\r\n", r);
    CHECK(r.version_minor == INT_MAX);
    expect_complete("GET / HTTP/0000000001.0000000001\r\nHost: h\r\n\r\n", r);
    CHECK(r.version_major == 1);
    CHECK(r.version_minor == 1);
}

TEST_CASE("parser: explicit HTTP/0.9 reads headers", "[parser]") {
    Request r;
    expect_complete("GET /a.txt HTTP/0.9\r\nHost: x\r\n\r\n", r);
    CHECK_FALSE(r.http09);
    CHECK(r.version_major == 0);
    CHECK(r.version_minor == 9);
    CHECK(r.headers.size() == 1);
}

TEST_CASE("parser: two words are an HTTP/0.9 request, complete at once", "[parser]") {
    const std::string_view in = "GET /x\r\nHost: ignored\r\n";
    Request r;
    expect_complete(in, r);
    CHECK(r.http09);
    CHECK(r.version_major == 0);
    CHECK(r.version_minor == 9);
    CHECK(r.method == "GET");
    CHECK(r.target == "/x");
    CHECK(r.headers.empty());
    CHECK(r.head_length == 8);
    expect_complete("GET /x\n", r);
    CHECK(r.head_length == 7);
}

TEST_CASE("parser: HTTP/0.9 only allows GET", "[parser]") {
    expect_error("POST /x\r\n", 400, "Bad HTTP/0.9 request type ('POST')");
    expect_error("get /x\r\n", 400, "Bad HTTP/0.9 request type ('get')");
    expect_error("HEAD /x\r\n", 400, "Bad HTTP/0.9 request type ('HEAD')");
    expect_error("G'T /x\r\n", 400, "Bad HTTP/0.9 request type (\"G'T\")");
    expect_error("GET /\x01\r\n", 400, "Bad request syntax ('GET /\\x01')");
}

TEST_CASE("parser: the method must be a token", "[parser]") {
    expect_error("G(T / HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('G(T / HTTP/1.1')");
    expect_error("GE\x01T / HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('GE\\x01T / HTTP/1.1')");
    expect_error(std::string_view("G\0T / HTTP/1.1\r\n\r\n", 18), 400, "Bad request syntax ('G\\x00T / HTTP/1.1')");
    expect_error("G\xe9T / HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('G\xe9T / HTTP/1.1')");
    expect_error("<script> / HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('<script> / HTTP/1.1')");
    Request r;
    expect_complete("M-SEARCH * HTTP/1.1\r\nHost: h\r\n\r\n", r);  // any token is fine here; 501 is decided later
    CHECK(r.method == "M-SEARCH");
    expect_complete("get / HTTP/1.1\r\nHost: h\r\n\r\n", r);
    CHECK(r.method == "get");
}

TEST_CASE("parser: control bytes in the target", "[parser]") {
    expect_error(
        "GET /a\x01"
        "b HTTP/1.1\r\n\r\n",
        400, "Bad request syntax ('GET /a\\x01b HTTP/1.1')");
    expect_error(
        "GET /a\x7f"
        "b HTTP/1.1\r\n\r\n",
        400, "Bad request syntax ('GET /a\\x7fb HTTP/1.1')");
    expect_error(std::string_view("GET /\0 HTTP/1.1\r\n\r\n", 19), 400, "Bad request syntax ('GET /\\x00 HTTP/1.1')");
    expect_error("GET /\x1b[0m HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('GET /\\x1b[0m HTTP/1.1')");
    Request r;
    expect_complete("GET /caf\xe9/\x80\xff HTTP/1.1\r\nHost: h\r\n\r\n", r);  // obs-text is left to the path mapper
    CHECK(r.target == "/caf\xe9/\x80\xff");
    expect_complete("GET http://h/a.txt?q=1#f HTTP/1.1\r\nHost: h\r\n\r\n", r);
    CHECK(r.target == "http://h/a.txt?q=1#f");
}

// ================================================================ request-line limit

TEST_CASE("parser: request line at the 65536-byte boundary", "[parser][limits]") {
    // "GET /aaa... HTTP/1.1\r\n": 4 + target + 11.
    auto line = [](size_t total) {
        const size_t target = total - 4 - 11;
        return "GET /" + std::string(target - 1, 'a') + " HTTP/1.1\r\n";
    };
    REQUIRE(line(65536).size() == 65536);
    Request r;
    const std::string ok = line(65536) + "Host: h\r\n\r\n";
    expect_complete(ok, r);
    CHECK(r.target.size() == 65536 - 15);
    expect_error(line(65537) + "\r\n", 414, "URI Too Long");

    // LF-only: the limit counts the LF.
    std::string lf_ok = line(65537);
    lf_ok.erase(lf_ok.size() - 2, 1);  // drop the CR: 65536 bytes
    REQUIRE(lf_ok.size() == 65536);
    expect_complete(lf_ok + "Host: h\n\n", r);
}

TEST_CASE("parser: an over-long request line is 414 before its end arrives", "[parser][limits]") {
    const std::string start = "GET /" + std::string(70000, 'a');
    expect_error(start, 414, "URI Too Long");
    // 65535 bytes without LF can still become a 65536-byte line: wait.
    CHECK(run("GET /" + std::string(65530, 'a')).status == ParseStatus::Incomplete);
    // 65536 bytes without LF: the line will be at least 65537 bytes.
    expect_error("GET /" + std::string(65531, 'a'), 414, "URI Too Long");
    // 65535 bytes and a CR: the LF would make it 65536... still possible.
    CHECK(run("GET /" + std::string(65529, 'a') + "\r").status == ParseStatus::Incomplete);
}

TEST_CASE("parser: custom request-line limit", "[parser][limits]") {
    ParseLimits lim;
    lim.max_request_line = 20;
    Request r;
    expect_complete("GET /12345 HTTP/1.1\nHost: h\n\n", r, lim);  // 20 bytes with LF
    expect_error("GET /123456 HTTP/1.1\n\n", 414, "URI Too Long", lim);
    expect_error("GET /12345 HTTP/1.1\r\n\r\n", 414, "URI Too Long", lim);  // 21 with CRLF
}

// ================================================================ headers

TEST_CASE("parser: header values are trimmed", "[parser][headers]") {
    Request r;
    expect_complete("GET / HTTP/1.1\r\nA:   a b \t\r\nB:\r\nC: \t \r\nD:x\r\nE: \tquoted \"v\"\t\r\nHost: h\r\n\r\n",
                    r);
    REQUIRE(r.headers.size() == 6);
    CHECK(r.headers[0].value == "a b");
    CHECK(r.headers[1].value.empty());
    CHECK(r.headers[2].value.empty());
    CHECK(r.headers[3].value == "x");
    CHECK(r.headers[4].value == "quoted \"v\"");
}

TEST_CASE("parser: header names keep their case; find is case-insensitive", "[parser][headers]") {
    Request r;
    expect_complete(
        "GET / HTTP/1.1\r\nX-Custom-Thing: 1\r\nx-custom-thing: 2\r\nIf-Modified-Since: d\r\nHost: h\r\n\r\n", r);
    CHECK(r.headers[0].name == "X-Custom-Thing");
    const Header* h = r.find("x-CUSTOM-thing");
    REQUIRE(h != nullptr);
    CHECK(h->value == "1");  // the first one
    REQUIRE(r.find("if-modified-since") != nullptr);
    CHECK(r.find("If-Modified-Since")->value == "d");
    CHECK(r.find("If-None-Match") == nullptr);
    CHECK(r.find("") == nullptr);
    CHECK(r.find("X-Custom-Thin") == nullptr);
}

TEST_CASE("parser: field values may hold HTAB and obs-text", "[parser][headers]") {
    Request r;
    expect_complete("GET / HTTP/1.1\r\nX: a\tb\r\nY: caf\xe9 \x80\xff\r\nHost: h\r\n\r\n", r);
    CHECK(r.headers[0].value == "a\tb");
    CHECK(r.headers[1].value == "caf\xe9 \x80\xff");
}

TEST_CASE("parser: obsolete line folding is rejected", "[parser][headers]") {
    expect_error("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400, "Bad header line (obsolete line folding)");
    expect_error("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", 400, "Bad header line (obsolete line folding)");
    expect_error("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, "Bad header line (obsolete line folding)");
}

TEST_CASE("parser: malformed header lines", "[parser][headers]") {
    expect_error("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400, "Bad header line (no colon)");
    expect_error("GET / HTTP/1.1\r\nNo Colon here\r\n\r\n", 400, "Bad header line (no colon)");
    expect_error("GET / HTTP/1.1\r\n: value\r\n\r\n", 400, "Bad header line (empty field name)");
    expect_error("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "Bad header line (whitespace before the colon)");
    expect_error("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400, "Bad header line (whitespace before the colon)");
    expect_error("GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", 400, "Bad header line (invalid character in the field name)");
    expect_error("GET / HTTP/1.1\r\nH\xe9: a\r\n\r\n", 400, "Bad header line (invalid character in the field name)");
    expect_error("GET / HTTP/1.1\r\nX Y: a\r\n\r\n", 400, "Bad header line (whitespace before the colon)");
}

TEST_CASE("parser: bare CR and control bytes in headers", "[parser][headers]") {
    expect_error("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400, "Bad header line (bare CR)");
    expect_error("GET / HTTP/1.1\r\nX: a\r\r\n\r\n", 400,
                 "Bad header line (bare CR)");  // only one CR is stripped
    expect_error("GET / HTTP/1.1\r\nX\r: a\r\n\r\n", 400, "Bad header line (bare CR)");
    expect_error("GET / HTTP/1.1\r\n\rX: a\r\n\r\n", 400, "Bad header line (bare CR)");
    expect_error(std::string_view("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26), 400,
                 "Bad header line (control character in the field value)");
    expect_error("GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", 400, "Bad header line (control character in the field value)");
    expect_error("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", 400, "Bad header line (control character in the field value)");
    expect_error("GET / HTTP/1.1\r\nX: \x1b[31m\r\n\r\n", 400,
                 "Bad header line (control character in the field value)");
    // The blank line that ends the head must be CRLF or LF.
    expect_error("GET / HTTP/1.1\r\nX: a\r\n\r\r\n", 400, "Bad header line (bare CR)");
}

TEST_CASE("parser: every byte value at every position of a field value", "[parser][headers]") {
    // The value scan checks eight bytes at a time; this covers each byte in each lane and the tail.
    for (int c = 0; c < 256; ++c) {
        if (c == '\n') continue;  // ends the line
        const bool bad = (c < 0x20 && c != '\t') || c == 0x7F;
        for (size_t pos = 0; pos < 19; ++pos) {
            std::string value(19, 'a');
            value[pos] = static_cast<char>(c);
            const std::string in = "GET / HTTP/1.1\r\nHost: h\r\nX: " + value + "\r\n\r\n";
            Request r;
            ParseError e;
            INFO("byte " << c << " at " << pos);
            REQUIRE(parse_request(in, {}, r, e) == (bad ? ParseStatus::Error : ParseStatus::Complete));
        }
    }
}

// ================================================================ header limits

TEST_CASE("parser: 99 header lines are fine, 100 are too many", "[parser][limits]") {
    Request r;
    expect_complete(with_headers(99) + "\r\n", r);
    CHECK(r.headers.size() == 99);

    const Outcome o = run(with_headers(100) + "\r\n");
    REQUIRE(o.status == ParseStatus::Error);
    CHECK(o.error.status == 431);
    CHECK(o.error.reason == "Too many headers");
    CHECK(o.error.explain == "got more than 100 headers");
    expect_error(with_headers(101) + "\r\n", 431, "Too many headers");
}

TEST_CASE("parser: too many headers is known before the head ends", "[parser][limits]") {
    expect_error(with_headers(100), 431, "Too many headers");       // 100th line complete, no blank line yet
    expect_error(with_headers(99) + "X", 431, "Too many headers");  // a 100th line has started
    CHECK(run(with_headers(99)).status == ParseStatus::Incomplete);
    CHECK(run(with_headers(99) + "\r").status == ParseStatus::Incomplete);
}

TEST_CASE("parser: custom header-count limit", "[parser][limits]") {
    ParseLimits lim;
    lim.max_header_lines = 2;
    Request r;
    expect_complete(with_headers(2) + "\r\n", r, lim);
    const Outcome o = run(with_headers(3) + "\r\n", lim);
    REQUIRE(o.status == ParseStatus::Error);
    CHECK(o.error.status == 431);
    CHECK(o.error.explain == "got more than 3 headers");
}

TEST_CASE("parser: header line at the 65536-byte boundary", "[parser][limits]") {
    auto header = [](size_t total) {  // "X: vvv\r\n" of `total` bytes
        return "X: " + std::string(total - 5, 'v') + "\r\n";
    };
    REQUIRE(header(65536).size() == 65536);
    Request r;
    expect_complete("GET / HTTP/1.1\r\n" + header(65536) + "Host: h\r\n\r\n", r);
    CHECK(r.headers[0].value.size() == 65531);

    const Outcome o = run("GET / HTTP/1.1\r\n" + header(65537) + "\r\n");
    REQUIRE(o.status == ParseStatus::Error);
    CHECK(o.error.status == 431);
    CHECK(o.error.reason == "Line too long");
    CHECK(o.error.explain == "got more than 65536 bytes when reading header line");
}

TEST_CASE("parser: an over-long header line is 431 before its end arrives", "[parser][limits]") {
    CHECK(run("GET / HTTP/1.1\r\nX: " + std::string(65532, 'v')).status == ParseStatus::Incomplete);  // 65535
    expect_error("GET / HTTP/1.1\r\nX: " + std::string(65533, 'v'), 431, "Line too long");            // 65536
    expect_error("GET / HTTP/1.1\r\nX: " + std::string(100000, 'v'), 431, "Line too long");
}

TEST_CASE("parser: custom header-line limit", "[parser][limits]") {
    ParseLimits lim;
    lim.max_header_line = 10;
    Request r;
    expect_complete("GET / HTTP/1.1\r\nX: 12345\r\nHost: h\r\n\r\n", r, lim);  // 10 bytes
    const Outcome o = run("GET / HTTP/1.1\r\nX: 123456\r\n\r\n", lim);
    REQUIRE(o.status == ParseStatus::Error);
    CHECK(o.error.status == 431);
    CHECK(o.error.explain == "got more than 10 bytes when reading header line");
}

// ================================================================ framing (RFC 9112 §6)

TEST_CASE("parser: Content-Length", "[parser][framing]") {
    const std::string_view in = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
    Request r;
    expect_complete(in, r);
    CHECK(r.body == BodyFraming::ContentLength);
    CHECK(r.content_length == 5);
    CHECK(r.head_length == in.size() - 5);

    expect_complete("POST / HTTP/1.1\r\nHost: h\r\ncontent-length: 0\r\n\r\n", r);
    CHECK(r.body == BodyFraming::ContentLength);
    CHECK(r.content_length == 0);

    expect_complete("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9999999999999999999\r\n\r\n", r);  // 19 digits
    CHECK(r.content_length == 9999999999999999999ull);
}

TEST_CASE("parser: repeated identical Content-Length values", "[parser][framing]") {
    Request r;
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n", r);
    CHECK(r.content_length == 5);
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", r);
    CHECK(r.content_length == 5);
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5,5 ,\t5\r\n\r\n", r);
    CHECK(r.content_length == 5);
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 005\r\nContent-Length: 5\r\n\r\n", r);
    CHECK(r.content_length == 5);
}

TEST_CASE("parser: bad Content-Length", "[parser][framing]") {
    for (std::string_view v : {"", "-1", "+5", "0x5", "5 5", "1e3", "5,", ",5", "5,,5", "5, 6", "abc", "5.0",
                               "10000000000000000000", "99999999999999999999"}) {
        INFO("Content-Length: " << std::string(v));
        expect_error("POST / HTTP/1.1\r\nContent-Length: " + std::string(v) + "\r\n\r\n", 400, "Bad Content-Length");
    }
    expect_error("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "Bad Content-Length");
    expect_error("POST / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 50\r\n\r\n", 400, "Bad Content-Length");
}

TEST_CASE("parser: chunked Transfer-Encoding", "[parser][framing]") {
    Request r;
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", r);
    CHECK(r.body == BodyFraming::Chunked);
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: CHUNKED\r\n\r\n", r);
    CHECK(r.body == BodyFraming::Chunked);
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: , chunked\r\n\r\n", r);  // empty elements ignored
    CHECK(r.body == BodyFraming::Chunked);
    expect_complete("POST / HTTP/1.2\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", r);
    CHECK(r.body == BodyFraming::Chunked);
}

TEST_CASE("parser: Transfer-Encoding that cannot be trusted", "[parser][framing]") {
    expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400,
                 "Bad request (Transfer-Encoding with Content-Length)");
    expect_error("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
                 "Bad request (Transfer-Encoding with Content-Length)");
    expect_error("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
                 "Bad request (Transfer-Encoding in an HTTP/1.0 request)");
    expect_error("POST / HTTP/0.9\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
                 "Bad request (Transfer-Encoding in an HTTP/1.0 request)");
    const char* kNotLast = "Bad Transfer-Encoding (chunked must be the last coding, once)";
    expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, kNotLast);
    expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400, kNotLast);
    expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400, kNotLast);
    expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", 400, kNotLast);
    expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: \r\n\r\n", 400, "Bad Transfer-Encoding (empty)");
}

TEST_CASE("parser: unsupported transfer codings are 501", "[parser][framing]") {
    for (std::string_view v :
         {"gzip", "identity", "gzip, chunked", "deflate,chunked", "x-custom", "chunked;q=1", "chunkedx"}) {
        INFO("Transfer-Encoding: " << std::string(v));
        expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: " + std::string(v) + "\r\n\r\n", 501,
                     "Unsupported Transfer-Encoding");
    }
    expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", 501,
                 "Unsupported Transfer-Encoding");
}

TEST_CASE("parser: Host exactly once in HTTP/1.1, at most once before", "[parser][framing]") {
    Request r;
    expect_complete("GET / HTTP/1.1\r\nHost: a\r\n\r\n", r);
    expect_error("GET / HTTP/1.1\r\n\r\n", 400, "Bad request (no Host header)");  // RFC 9112 §3.2; Python accepts it
    expect_error("GET / HTTP/1.2\r\nX: a\r\n\r\n", 400, "Bad request (no Host header)");
    expect_complete("GET / HTTP/1.1\r\nHost:\r\n\r\n", r);  // empty is allowed (no authority)
    CHECK(r.find("host")->value.empty());
    expect_complete("GET / HTTP/1.0\r\n\r\n", r);  // HTTP/1.0 need not send it
    expect_complete("GET / HTTP/0.9\r\n\r\n", r);
    expect_complete("GET /\r\n", r);
    // A framing error says more and wins.
    expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "Unsupported Transfer-Encoding");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "Multiple Host headers");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nhOST: a\r\n\r\n", 400, "Multiple Host headers");
}

TEST_CASE("parser: Connection tokens", "[parser][framing]") {
    auto conn = [](std::string headers) {
        Request r;
        const std::string in = "GET / HTTP/1.1\r\nHost: h\r\n" + headers + "\r\n";
        expect_complete(in, r);
        return r.connection;
    };
    CHECK(conn("") == ConnectionToken::None);
    CHECK(conn("Connection: close\r\n") == ConnectionToken::Close);
    CHECK(conn("Connection: Close\r\n") == ConnectionToken::Close);
    CHECK(conn("Connection: keep-alive\r\n") == ConnectionToken::KeepAlive);
    CHECK(conn("Connection: Keep-Alive\r\n") == ConnectionToken::KeepAlive);
    CHECK(conn("Connection: upgrade, KEEP-ALIVE\r\n") == ConnectionToken::KeepAlive);
    CHECK(conn("Connection: keep-alive, close\r\n") == ConnectionToken::Close);
    CHECK(conn("Connection: close,keep-alive\r\n") == ConnectionToken::Close);
    CHECK(conn("Connection: keep-alive\r\nConnection: close\r\n") == ConnectionToken::Close);
    CHECK(conn("Connection: closed\r\n") == ConnectionToken::None);
    CHECK(conn("Connection: upgrade\r\n") == ConnectionToken::None);
    CHECK(conn("X-Connection: close\r\n") == ConnectionToken::None);
}

TEST_CASE("parser: Expect: 100-continue", "[parser][framing]") {
    Request r;
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", r);
    CHECK(r.expect_continue);
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\nexpect: 100-Continue\r\n\r\n", r);
    CHECK(r.expect_continue);
    expect_complete("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", r);
    CHECK(r.expect_continue);  // the connection layer decides whether to answer
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n", r);
    CHECK_FALSE(r.expect_continue);
    expect_complete("POST / HTTP/1.1\r\nHost: h\r\n\r\n", r);
    CHECK_FALSE(r.expect_continue);
}

// ================================================================ buffers and reuse

TEST_CASE("parser: pipelined requests", "[parser]") {
    const std::string_view first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    const std::string_view second = "GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    const std::string in = std::string(first) + std::string(second);
    Request r;
    expect_complete(in, r);
    CHECK(r.target == "/a");
    CHECK(r.head_length == first.size());
    CHECK(r.connection == ConnectionToken::None);

    const std::string_view rest = std::string_view(in).substr(r.head_length);
    expect_complete(rest, r);
    CHECK(r.target == "/b");
    CHECK(r.head_length == second.size());
    CHECK(r.connection == ConnectionToken::Close);
}

TEST_CASE("parser: pipelined HTTP/0.9 request", "[parser]") {
    const std::string in = "GET /a\r\nGET /b HTTP/1.1\r\n\r\n";
    Request r;
    expect_complete(in, r);
    CHECK(r.http09);
    CHECK(std::string_view(in).substr(r.head_length) == "GET /b HTTP/1.1\r\n\r\n");
}

TEST_CASE("parser: every prefix of a valid request is Incomplete", "[parser]") {
    const std::string requests[] = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\n\r\nPOST /upload?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5, 5\r\n"
        "Transfer-Encoding-X: y\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n\r\n",
        "PUT /x HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nX:\t v \t\n\n",
        "GET /caf\xe9 HTTP/1.0\r\nUser-Agent: t\xff\r\n\r\n",
        "GET /x\r\n",
        "GET / HTTP/1.1\r\r\nHost: h\r\n\r\n",
        with_headers(99) + "\r\n",
    };
    for (const std::string& in : requests) {
        for (size_t n = 0; n < in.size(); ++n) {
            Request r;
            ParseError e;
            const ParseStatus st = parse_request(std::string_view(in).substr(0, n), {}, r, e);
            INFO("request " << in.substr(0, 40) << " prefix " << n << " -> " << e.status << " " << e.reason);
            REQUIRE(st == ParseStatus::Incomplete);
        }
        Request r;
        expect_complete(in, r);
        CHECK(r.head_length == in.size());
    }
}

TEST_CASE("parser: an empty buffer is Incomplete", "[parser]") {
    CHECK(run("").status == ParseStatus::Incomplete);
    CHECK(run(std::string_view()).status == ParseStatus::Incomplete);
}

TEST_CASE("parser: Request is reset and its header storage reused", "[parser]") {
    Request r;
    expect_complete(
        "POST /x HTTP/1.0\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 3\r\nConnection: close\r\n"
        "Expect: 100-continue\r\n\r\n",
        r);
    const size_t capacity = r.headers.capacity();
    const Header* storage = r.headers.data();
    expect_complete("GET /y\r\n", r);
    CHECK(r.headers.empty());
    CHECK(r.headers.capacity() == capacity);
    expect_complete("GET /z HTTP/1.1\r\nHost: h\r\nD: 4\r\n\r\n", r);
    CHECK(r.headers.data() == storage);
    CHECK(r.method == "GET");
    CHECK_FALSE(r.http09);
    CHECK(r.version_major == 1);
    CHECK(r.version_minor == 1);
    CHECK(r.body == BodyFraming::None);
    CHECK(r.content_length == 0);
    CHECK(r.connection == ConnectionToken::None);
    CHECK_FALSE(r.expect_continue);

    r.clear();
    CHECK(r.method.empty());
    CHECK(r.head_length == 0);
    CHECK(r.headers.capacity() == capacity);
}

TEST_CASE("parser: ParseError is fully overwritten", "[parser]") {
    Request r;
    ParseError e;
    REQUIRE(parse_request("GET / HTTP/1.1\r\n" + std::string(100, 'X') + "\r\n\r\n", {}, r, e) == ParseStatus::Error);
    REQUIRE(parse_request("GET / HTTP/1.1\r\nX: " + std::string(70000, 'v'), {}, r, e) == ParseStatus::Error);
    CHECK(e.status == 431);
    CHECK_FALSE(e.explain.empty());
    REQUIRE(parse_request("GET / FOO\r\n\r\n", {}, r, e) == ParseStatus::Error);
    CHECK(e.status == 400);
    CHECK(e.reason == "Bad request version ('FOO')");
    CHECK(e.explain.empty());
}

TEST_CASE("is_token", "[parser]") {
    CHECK(is_token("GET"));
    CHECK(is_token("M-SEARCH"));
    CHECK(is_token("!#$%&'*+-.^_`|~09azAZ"));
    CHECK_FALSE(is_token(""));
    CHECK_FALSE(is_token("A B"));
    CHECK_FALSE(is_token("A:B"));
    for (char c : std::string_view("\"(),/:;<=>?@[\\]{}\x7f\t\r\n")) {
        INFO(static_cast<int>(c));
        CHECK_FALSE(is_token(std::string(1, c)));
    }
    CHECK_FALSE(is_token(std::string(1, '\0')));
    CHECK_FALSE(is_token("\xe9"));
}
