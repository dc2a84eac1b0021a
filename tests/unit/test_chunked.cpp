// ChunkedDecoder: framing, incremental feeding, extensions, trailers and every rejection.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "worker/http/chunked.hpp"

using httpserve::http::ChunkedDecoder;
using Status = ChunkedDecoder::Status;

namespace {

struct Fed {
    Status status;
    std::string out;
    size_t consumed;
};

Fed feed_all(std::string_view input, uint64_t max_total = UINT64_MAX) {
    ChunkedDecoder d(max_total);
    Fed f{Status::NeedMore, {}, 0};
    f.status = d.feed(input, f.out, f.consumed);
    return f;
}

// Feeds `input` in pieces of `step` bytes, as a connection would, honouring `consumed`.
Fed feed_in_pieces(std::string_view input, size_t step, uint64_t max_total = UINT64_MAX) {
    ChunkedDecoder d(max_total);
    Fed f{Status::NeedMore, {}, 0};
    size_t pos = 0;
    while (pos < input.size()) {
        const std::string_view piece = input.substr(pos, step);
        size_t used = 0;
        f.status = d.feed(piece, f.out, used);
        pos += used;
        f.consumed = pos;
        if (f.status != Status::NeedMore) break;
        REQUIRE(used == piece.size());
    }
    REQUIRE(d.total() == f.out.size());
    return f;
}

Status status_of(std::string_view input) { return feed_all(input).status; }

}  // namespace

TEST_CASE("chunked: a simple body", "[chunked]") {
    const std::string_view body = "5\r\nhello\r\n0\r\n\r\n";
    ChunkedDecoder d;
    std::string out;
    size_t consumed = 0;
    CHECK(d.feed(body, out, consumed) == Status::Done);
    CHECK(out == "hello");
    CHECK(consumed == body.size());
    CHECK(d.total() == 5);
    CHECK_FALSE(d.over_limit());
}

TEST_CASE("chunked: several chunks, hex sizes in either case", "[chunked]") {
    const std::string body =
        "3\r\nabc\r\na\r\n0123456789\r\nB\r\nABCDEFGHIJK\r\n10\r\n" + std::string(16, 'x') + "\r\n0\r\n\r\n";
    const Fed f = feed_all(body);
    CHECK(f.status == Status::Done);
    CHECK(f.out == "abc0123456789ABCDEFGHIJK" + std::string(16, 'x'));
    CHECK(f.consumed == body.size());
}

TEST_CASE("chunked: an empty body", "[chunked]") {
    const Fed f = feed_all("0\r\n\r\n");
    CHECK(f.status == Status::Done);
    CHECK(f.out.empty());
    CHECK(f.consumed == 5);
    CHECK(feed_all("000\r\n\r\n").status == Status::Done);
}

TEST_CASE("chunked: bytes after the body are not consumed", "[chunked]") {
    const std::string_view input = "2\r\nhi\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
    const Fed f = feed_all(input);
    CHECK(f.status == Status::Done);
    CHECK(f.out == "hi");
    CHECK(input.substr(f.consumed) == "GET / HTTP/1.1\r\n\r\n");
}

TEST_CASE("chunked: feeding in pieces of every size gives the same result", "[chunked]") {
    const std::string body =
        "4;ext=1\r\nwiki\r\n5 ; a=\"b c\"\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\n";
    const std::string input = body + "tail";
    for (size_t step = 1; step <= input.size(); ++step) {
        INFO("step " << step);
        const Fed f = feed_in_pieces(input, step);
        CHECK(f.status == Status::Done);
        CHECK(f.out == "wikipedia in\r\n\r\nchunks.");
        CHECK(f.consumed == body.size());
    }
}

TEST_CASE("chunked: every strict prefix needs more", "[chunked]") {
    const std::string_view body = "5;x=y\r\nhello\r\n0\r\nA: b\r\n\r\n";
    for (size_t n = 0; n < body.size(); ++n) {
        INFO("prefix " << n);
        const Fed f = feed_all(body.substr(0, n));
        CHECK(f.status == Status::NeedMore);
        CHECK(f.consumed == n);
    }
}

TEST_CASE("chunked: LF-only line endings are accepted", "[chunked]") {
    const Fed f = feed_all("5\nhello\n0\n\n");
    CHECK(f.status == Status::Done);
    CHECK(f.out == "hello");
    CHECK(feed_all("5;e\nhello\r\n0\r\nT: 1\n\n").status == Status::Done);
}

TEST_CASE("chunked: extensions are skipped", "[chunked]") {
    CHECK(feed_all("5;name\r\nhello\r\n0\r\n\r\n").out == "hello");
    CHECK(feed_all("5;name=value;other=\"quoted; string\"\r\nhello\r\n0;last\r\n\r\n").out == "hello");
    CHECK(feed_all("5 \t ;name=value\r\nhello\r\n0\r\n\r\n").out == "hello");  // BWS before ';'
    CHECK(feed_all("5; name = value\r\nhello\r\n0\r\n\r\n").status == Status::Done);
}

TEST_CASE("chunked: extensions are bounded and free of control bytes", "[chunked]") {
    CHECK(status_of("5;" + std::string(4000, 'e') + "\r\nhello\r\n0\r\n\r\n") == Status::Done);
    CHECK(status_of("5;" + std::string(5000, 'e') + "\r\n") == Status::Error);
    CHECK(status_of("5 " + std::string(5000, ' ') + ";e\r\n") == Status::Error);
    CHECK(status_of(std::string("5;a\0b\r\n", 7)) == Status::Error);
    CHECK(status_of("5;a\x7f\r\n") == Status::Error);
    CHECK(status_of("5;a\tb\r\nhello\r\n0\r\n\r\n") == Status::Done);
}

TEST_CASE("chunked: trailer fields are read and dropped", "[chunked]") {
    const Fed f = feed_all("3\r\nabc\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\nrest");
    CHECK(f.status == Status::Done);
    CHECK(f.out == "abc");
    CHECK(f.consumed == std::string_view("3\r\nabc\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n").size());
}

TEST_CASE("chunked: trailer section over 8 KiB", "[chunked]") {
    CHECK(status_of("0\r\nX: " + std::string(8000, 'a') + "\r\n\r\n") == Status::Done);
    CHECK(status_of("0\r\nX: " + std::string(8200, 'a') + "\r\n\r\n") == Status::Error);
    std::string many = "0\r\n";
    for (int i = 0; i < 2000; ++i) many += "A: b\r\n";
    CHECK(status_of(many) == Status::Error);
}

TEST_CASE("chunked: bad chunk sizes", "[chunked]") {
    CHECK(status_of("\r\n") == Status::Error);      // empty
    CHECK(status_of(";ext\r\n") == Status::Error);  // empty, extension only
    CHECK(status_of("x\r\n") == Status::Error);
    CHECK(status_of("g\r\n") == Status::Error);
    CHECK(status_of("0x5\r\nhello\r\n") == Status::Error);
    CHECK(status_of("+5\r\n") == Status::Error);
    CHECK(status_of("-5\r\n") == Status::Error);
    CHECK(status_of(" 5\r\n") == Status::Error);  // leading space
    CHECK(status_of("\t5\r\n") == Status::Error);
    CHECK(status_of("5 \r\nhello\r\n") == Status::Error);  // trailing space without ';'
    CHECK(status_of("5 x\r\n") == Status::Error);
    CHECK(status_of("5,6\r\n") == Status::Error);
    CHECK(status_of(std::string("5\0\r\n", 4)) == Status::Error);
}

TEST_CASE("chunked: chunk size limits", "[chunked]") {
    CHECK(status_of("10000000000\r\n") == Status::NeedMore);  // 2^40 exactly
    CHECK(status_of("10000000001\r\n") == Status::Error);     // 2^40 + 1
    CHECK(status_of("FFFFFFFFFFFFFFFF\r\n") == Status::Error);
    CHECK(status_of("1FFFFFFFFFFFFFFFFFFFF\r\n") == Status::Error);              // would overflow 64 bits
    CHECK(status_of("0000000000000005\r\nhello\r\n0\r\n\r\n") == Status::Done);  // 16 digits
    CHECK(status_of("00000000000000005\r\n") == Status::Error);                  // 17 digits
    CHECK(status_of("00000000000000000\r\n\r\n") == Status::Error);
}

TEST_CASE("chunked: line endings around the data", "[chunked]") {
    CHECK(status_of("5\r\nhelloX") == Status::Error);    // data longer than announced
    CHECK(status_of("5\r\nhello\rX") == Status::Error);  // bare CR after data
    CHECK(status_of("5\r\nhello\r\r\n") == Status::Error);
    CHECK(status_of("5\rhello\r\n") == Status::Error);          // bare CR after the size
    CHECK(status_of("5;e\rx\r\n") == Status::Error);            // bare CR in an extension
    CHECK(status_of("0\r\nX: a\rb\r\n\r\n") == Status::Error);  // bare CR in a trailer
    CHECK(status_of("0\r\n\rX") == Status::Error);
    CHECK(status_of("0\r\nX: \x01\r\n\r\n") == Status::Error);  // CTL in a trailer
    CHECK(status_of("0\r\nX: \tok\r\n\r\n") == Status::Done);
}

TEST_CASE("chunked: max_total", "[chunked]") {
    SECTION("exactly the limit") {
        const Fed f = feed_all("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", 10);
        CHECK(f.status == Status::Done);
        CHECK(f.out == "helloworld");
    }
    SECTION("one byte over") {
        ChunkedDecoder d(10);
        std::string out;
        size_t used = 0;
        CHECK(d.feed("5\r\nhello\r\n6\r\n", out, used) == Status::Error);
        CHECK(d.over_limit());
        CHECK(out == "hello");
        CHECK(d.total() == 5);
    }
    SECTION("announced size alone is over") {
        ChunkedDecoder d(100);
        std::string out;
        size_t used = 0;
        CHECK(d.feed("10000\r\n", out, used) == Status::Error);
        CHECK(d.over_limit());
    }
    SECTION("syntax errors are not the limit") {
        ChunkedDecoder d(100);
        std::string out;
        size_t used = 0;
        CHECK(d.feed("zz\r\n", out, used) == Status::Error);
        CHECK_FALSE(d.over_limit());
    }
    SECTION("zero limit allows an empty body") {
        CHECK(feed_all("0\r\n\r\n", 0).status == Status::Done);
        CHECK(feed_all("1\r\na\r\n0\r\n\r\n", 0).status == Status::Error);
    }
}

TEST_CASE("chunked: feeding after the end or an error", "[chunked]") {
    ChunkedDecoder d;
    std::string out;
    size_t used = 99;
    REQUIRE(d.feed("0\r\n\r\n", out, used) == Status::Done);
    CHECK(d.feed("5\r\nhello", out, used) == Status::Done);
    CHECK(used == 0);
    CHECK(out.empty());

    ChunkedDecoder e;
    REQUIRE(e.feed("x", out, used) == Status::Error);
    CHECK(e.feed("0\r\n\r\n", out, used) == Status::Error);
    CHECK(used == 0);
}

TEST_CASE("chunked: output is appended, not replaced", "[chunked]") {
    ChunkedDecoder d;
    std::string out = "prefix:";
    size_t used = 0;
    CHECK(d.feed("3\r\nabc\r\n0\r\n\r\n", out, used) == Status::Done);
    CHECK(out == "prefix:abc");
    CHECK(d.total() == 3);
}

TEST_CASE("chunked: a large chunk split across feeds", "[chunked]") {
    const std::string data(100000, 'z');
    const std::string body = "186a0\r\n" + data + "\r\n0\r\n\r\n";
    const Fed f = feed_in_pieces(body, 4096);
    CHECK(f.status == Status::Done);
    CHECK(f.out == data);
}
