// Range header parsing (RFC 9110 §14) and multipart/byteranges framing.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "worker/static/range.hpp"

using httpserve::ByteRange;
using httpserve::content_range;
using httpserve::multipart_end;
using httpserve::multipart_part_head;
using httpserve::parse_range;
using httpserve::RangeOutcome;
using httpserve::RangeRequest;

namespace {

using Ranges = std::vector<ByteRange>;

bool satisfiable(const RangeRequest& r, const Ranges& expected) {
    return r.outcome == RangeOutcome::Satisfiable && r.ranges == expected;
}
bool ignored(const RangeRequest& r) { return r.outcome == RangeOutcome::Ignore && r.ranges.empty(); }
bool unsatisfiable(const RangeRequest& r) { return r.outcome == RangeOutcome::Unsatisfiable && r.ranges.empty(); }

}  // namespace

TEST_CASE("range: the three range-spec forms", "[range]") {
    CHECK(satisfiable(parse_range("bytes=0-99", 1000), {{0, 99}}));
    CHECK(satisfiable(parse_range("bytes=100-", 1000), {{100, 999}}));
    CHECK(satisfiable(parse_range("bytes=-100", 1000), {{900, 999}}));
    CHECK(satisfiable(parse_range("bytes=5-5", 1000), {{5, 5}}));
    CHECK(parse_range("bytes=0-99", 1000).ranges.front().length() == 100);
}

TEST_CASE("range: unit is case-insensitive, other units are ignored", "[range]") {
    CHECK(satisfiable(parse_range("Bytes=0-1", 10), {{0, 1}}));
    CHECK(satisfiable(parse_range("BYTES=0-1", 10), {{0, 1}}));
    CHECK(satisfiable(parse_range("bYtEs=0-1", 10), {{0, 1}}));
    CHECK(ignored(parse_range("items=0-1", 10)));
    CHECK(ignored(parse_range("bytes 0-1", 10)));
    CHECK(ignored(parse_range("bytes =0-1", 10)));
    CHECK(ignored(parse_range("byte=0-1", 10)));
    CHECK(ignored(parse_range("bytesx=0-1", 10)));
    CHECK(ignored(parse_range("", 10)));
    CHECK(ignored(parse_range("bytes", 10)));
}

TEST_CASE("range: syntax errors ignore the whole header", "[range]") {
    for (const char* bad : {"bytes=",      "bytes=,",     "bytes= , ,",    "bytes=-",       "bytes=a-b",   "bytes=0-a",
                            "bytes=1-2-3", "bytes=--5",   "bytes=+1-2",    "bytes=0x10-20", "bytes=1 -2",  "bytes=1- 2",
                            "bytes=- 5",   "bytes=0-1;",  "bytes=0-1 2-3", "bytes=0-1,x",   "bytes=0-1,5", "bytes=5",
                            "bytes=-1-2",  "bytes=1.5-2", "bytes=0-1\r\n"}) {
        INFO(bad);
        CHECK(ignored(parse_range(bad, 100)));
    }
}

TEST_CASE("range: last < first is invalid and ignores the header", "[range]") {
    CHECK(ignored(parse_range("bytes=5-4", 100)));
    CHECK(ignored(parse_range("bytes=0-10,5-4", 100)));
    // ... even when it would have been beyond the end anyway.
    CHECK(ignored(parse_range("bytes=500-400", 100)));
}

TEST_CASE("range: whitespace around commas and the value", "[range]") {
    const Ranges two{{0, 1}, {5, 6}};
    CHECK(satisfiable(parse_range("bytes=0-1,5-6", 10), two));
    CHECK(satisfiable(parse_range("bytes=0-1, 5-6", 10), two));
    CHECK(satisfiable(parse_range("bytes=0-1 ,5-6", 10), two));
    CHECK(satisfiable(parse_range("bytes=0-1 \t,\t 5-6", 10), two));
    CHECK(satisfiable(parse_range("bytes= 0-1,5-6 ", 10), two));
    CHECK(satisfiable(parse_range("  bytes=0-1,5-6\t", 10), two));
}

TEST_CASE("range: empty list elements are tolerated", "[range]") {
    const Ranges two{{0, 1}, {5, 6}};
    CHECK(satisfiable(parse_range("bytes=0-1,,5-6", 10), two));
    CHECK(satisfiable(parse_range("bytes=,0-1,5-6,", 10), two));
    CHECK(satisfiable(parse_range("bytes=, ,0-1, ,,5-6", 10), two));
}

TEST_CASE("range: size 1", "[range]") {
    CHECK(satisfiable(parse_range("bytes=0-0", 1), {{0, 0}}));
    CHECK(satisfiable(parse_range("bytes=0-", 1), {{0, 0}}));
    CHECK(satisfiable(parse_range("bytes=0-1000", 1), {{0, 0}}));
    CHECK(satisfiable(parse_range("bytes=-1", 1), {{0, 0}}));
    CHECK(satisfiable(parse_range("bytes=-5", 1), {{0, 0}}));
    CHECK(unsatisfiable(parse_range("bytes=1-", 1)));
    CHECK(unsatisfiable(parse_range("bytes=1-1", 1)));
    CHECK(unsatisfiable(parse_range("bytes=-0", 1)));
}

TEST_CASE("range: empty representation", "[range]") {
    // An int-range always starts at or beyond the end: unsatisfiable (416 bytes */0).
    CHECK(unsatisfiable(parse_range("bytes=0-", 0)));
    CHECK(unsatisfiable(parse_range("bytes=0-0", 0)));
    CHECK(unsatisfiable(parse_range("bytes=0-10,5-", 0)));
    CHECK(unsatisfiable(parse_range("bytes=-0", 0)));
    // RFC 9110 §14.1.2: a non-zero suffix-range is satisfiable on an empty representation, but no
    // Content-Range can express it; §14.2 lets us ignore Range, so the empty file is sent with 200.
    CHECK(ignored(parse_range("bytes=-1", 0)));
    CHECK(ignored(parse_range("bytes=0-5,-1", 0)));
    // Syntax is still checked first.
    CHECK(ignored(parse_range("bytes=x", 0)));
    CHECK(ignored(parse_range("bytes=", 0)));
    CHECK(ignored(parse_range("items=0-1", 0)));
}

TEST_CASE("range: boundaries at size-1 and size", "[range]") {
    CHECK(satisfiable(parse_range("bytes=99-", 100), {{99, 99}}));
    CHECK(satisfiable(parse_range("bytes=99-99", 100), {{99, 99}}));
    CHECK(satisfiable(parse_range("bytes=98-99", 100), {{98, 99}}));
    CHECK(satisfiable(parse_range("bytes=0-99", 100), {{0, 99}}));
    CHECK(satisfiable(parse_range("bytes=0-100", 100), {{0, 99}}));  // last clamped
    CHECK(satisfiable(parse_range("bytes=50-18446744073", 100), {{50, 99}}));
    CHECK(unsatisfiable(parse_range("bytes=100-", 100)));
    CHECK(unsatisfiable(parse_range("bytes=100-100", 100)));
    CHECK(unsatisfiable(parse_range("bytes=100-200", 100)));
    CHECK(unsatisfiable(parse_range("bytes=1000-", 100)));
}

TEST_CASE("range: suffix ranges", "[range]") {
    CHECK(satisfiable(parse_range("bytes=-1", 100), {{99, 99}}));
    CHECK(satisfiable(parse_range("bytes=-99", 100), {{1, 99}}));
    CHECK(satisfiable(parse_range("bytes=-100", 100), {{0, 99}}));
    CHECK(satisfiable(parse_range("bytes=-101", 100), {{0, 99}}));  // larger than the file: all of it
    CHECK(satisfiable(parse_range("bytes=-9999999999999999999", 100), {{0, 99}}));
    CHECK(unsatisfiable(parse_range("bytes=-0", 100)));
    CHECK(unsatisfiable(parse_range("bytes=-000", 100)));
}

TEST_CASE("range: unsatisfiable specs are dropped when another one is satisfiable", "[range]") {
    CHECK(satisfiable(parse_range("bytes=200-300,0-1", 100), {{0, 1}}));
    CHECK(satisfiable(parse_range("bytes=-0,5-", 100), {{5, 99}}));
    CHECK(unsatisfiable(parse_range("bytes=200-300,-0,100-", 100)));
}

TEST_CASE("range: digit limits and overflow", "[range]") {
    constexpr uint64_t max = UINT64_MAX;
    // 19 digits are accepted (they always fit in 64 bits).
    CHECK(unsatisfiable(parse_range("bytes=9999999999999999999-", 100)));
    CHECK(satisfiable(parse_range("bytes=0-9999999999999999999", 100), {{0, 99}}));
    CHECK(satisfiable(parse_range("bytes=0000000000000000001-0000000000000000002", 100), {{1, 2}}));
    // 20 digits: invalid, even with leading zeros, even for a value that fits.
    CHECK(ignored(parse_range("bytes=18446744073709551615-", max)));
    CHECK(ignored(parse_range("bytes=99999999999999999999-", 100)));
    CHECK(ignored(parse_range("bytes=0-99999999999999999999", 100)));
    CHECK(ignored(parse_range("bytes=-99999999999999999999", 100)));
    CHECK(ignored(parse_range("bytes=00000000000000000001-2", 100)));
    CHECK(ignored(parse_range("bytes=0-1,-184467440737095516160", 100)));
    // The largest representable size.
    CHECK(satisfiable(parse_range("bytes=-1", max), {{max - 1, max - 1}}));
    CHECK(satisfiable(parse_range("bytes=9999999999999999999-", max), {{9999999999999999999u, max - 1}}));
    CHECK(satisfiable(parse_range("bytes=0-", max), {{0, max - 1}}));
}

TEST_CASE("range: request order and coalescing", "[range]") {
    SECTION("disjoint ranges keep the requested order, not merged") {
        CHECK(satisfiable(parse_range("bytes=50-59,0-9,20-29", 100), {{50, 59}, {0, 9}, {20, 29}}));
        CHECK(satisfiable(parse_range("bytes=0-9,20-29,50-59", 100), {{0, 9}, {20, 29}, {50, 59}}));
        CHECK(satisfiable(parse_range("bytes=0-0,2-2", 100), {{0, 0}, {2, 2}}));  // gap of one byte
    }
    SECTION("overlapping ranges merge") {
        CHECK(satisfiable(parse_range("bytes=0-10,5-20", 100), {{0, 20}}));
        CHECK(satisfiable(parse_range("bytes=5-20,0-10", 100), {{0, 20}}));
        CHECK(satisfiable(parse_range("bytes=0-50,10-20", 100), {{0, 50}}));  // contained
        CHECK(satisfiable(parse_range("bytes=0-10,0-10,0-10", 100), {{0, 10}}));
    }
    SECTION("a merged part takes the place of its earliest member") {
        CHECK(satisfiable(parse_range("bytes=90-99,10-19,0-9", 100), {{90, 99}, {0, 19}}));
        CHECK(satisfiable(parse_range("bytes=50-60,0-5,55-70", 100), {{50, 70}, {0, 5}}));
    }
    SECTION("adjacent ranges merge") {
        CHECK(satisfiable(parse_range("bytes=0-9,10-19", 100), {{0, 19}}));
        CHECK(satisfiable(parse_range("bytes=10-19,0-9", 100), {{0, 19}}));
        CHECK(satisfiable(parse_range("bytes=0-0,1-1,2-2,3-3", 100), {{0, 3}}));
    }
    SECTION("suffix and open ranges take part") {
        CHECK(satisfiable(parse_range("bytes=-10,0-5", 100), {{90, 99}, {0, 5}}));
        CHECK(satisfiable(parse_range("bytes=-10,85-90", 100), {{85, 99}}));
        CHECK(satisfiable(parse_range("bytes=95-,-10", 100), {{90, 99}}));
        CHECK(satisfiable(parse_range("bytes=0-,-10,5-6", 100), {{0, 99}}));
    }
    SECTION("a chain merges across several ranges") {
        CHECK(satisfiable(parse_range("bytes=30-40,0-10,11-20,21-29,60-70", 100), {{0, 40}, {60, 70}}));
    }
}

TEST_CASE("range: max_ranges", "[range]") {
    auto many = [](int n) {
        std::string v = "bytes=";
        for (int i = 0; i < n; ++i) v += (i ? "," : "") + std::to_string(i * 10) + "-" + std::to_string(i * 10);
        return v;
    };
    const RangeRequest hundred = parse_range(many(100), 10000);
    REQUIRE(hundred.outcome == RangeOutcome::Satisfiable);
    CHECK(hundred.ranges.size() == 100);
    CHECK(hundred.ranges.back() == ByteRange{990, 990});
    CHECK(ignored(parse_range(many(101), 10000)));
    CHECK(satisfiable(parse_range(many(3), 10000, 3), {{0, 0}, {10, 10}, {20, 20}}));
    CHECK(ignored(parse_range(many(4), 10000, 3)));
    CHECK(ignored(parse_range("bytes=0-1", 100, 0)));  // 0 turns ranges off
    // Specs count whether satisfiable or not; empty elements do not.
    CHECK(ignored(parse_range("bytes=0-1,500-,600-", 100, 2)));
    CHECK(satisfiable(parse_range("bytes=0-1,,,,2-3", 100, 2), {{0, 3}}));
    // Many overlapping copies of the same range are refused before they cost anything.
    std::string flood = "bytes=0-";
    for (int i = 0; i < 10000; ++i) flood += ",0-";
    CHECK(ignored(parse_range(flood, 100)));
}

TEST_CASE("range: Content-Range and multipart framing", "[range]") {
    CHECK(content_range({0, 99}, 1234) == "bytes 0-99/1234");
    CHECK(content_range({0, 0}, 1) == "bytes 0-0/1");
    CHECK(content_range({0, UINT64_MAX - 1}, UINT64_MAX) == "bytes 0-18446744073709551614/18446744073709551615");
    CHECK(multipart_part_head("B0UND", "text/plain", {5, 9}, 100) ==
          "\r\n--B0UND\r\nContent-Type: text/plain\r\nContent-Range: bytes 5-9/100\r\n\r\n");
    CHECK(multipart_end("B0UND") == "\r\n--B0UND--\r\n");
}
