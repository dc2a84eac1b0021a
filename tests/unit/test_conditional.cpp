// ETags and conditional requests (RFC 9110 §13) with Python's If-Modified-Since rules.
#include <catch2/catch.hpp>

#include <string>

#include "worker/static/conditional.hpp"

using httpserve::ConditionalHeaders;
using httpserve::evaluate_preconditions;
using httpserve::if_range_matches;
using httpserve::make_etag;
using httpserve::Precondition;
using httpserve::Validators;

namespace {

constexpr std::time_t mtime = 1764105916;  // 0x69261ebc
constexpr const char* last_modified = "Tue, 25 Nov 2025 21:25:16 GMT";
constexpr const char* one_second_later = "Tue, 25 Nov 2025 21:25:17 GMT";
constexpr const char* one_second_earlier = "Tue, 25 Nov 2025 21:25:15 GMT";

const Validators validators{make_etag(mtime, 5, 100), mtime};
const std::string etag = validators.etag;  // "69261ebc.5-64"
const std::string weak_etag = "W/" + validators.etag;

Precondition get(const ConditionalHeaders& h) { return evaluate_preconditions(h, validators, true); }
Precondition put(const ConditionalHeaders& h) { return evaluate_preconditions(h, validators, false); }

ConditionalHeaders if_match(std::string_view v) {
    ConditionalHeaders h;
    h.if_match = v;
    return h;
}
ConditionalHeaders if_none_match(std::string_view v) {
    ConditionalHeaders h;
    h.if_none_match = v;
    return h;
}
ConditionalHeaders if_modified_since(std::string_view v) {
    ConditionalHeaders h;
    h.if_modified_since = v;
    return h;
}
ConditionalHeaders if_unmodified_since(std::string_view v) {
    ConditionalHeaders h;
    h.if_unmodified_since = v;
    return h;
}

}  // namespace

TEST_CASE("etag: format", "[conditional]") {
    CHECK(etag == "\"69261ebc.5-64\"");
    CHECK(make_etag(0, 0, 0) == "\"0.0-0\"");
    CHECK(make_etag(0x10, 0x20, 0x30) == "\"10.20-30\"");
    CHECK(make_etag(mtime, 999999999, UINT64_MAX) == "\"69261ebc.3b9ac9ff-ffffffffffffffff\"");
}

TEST_CASE("etag: changes with seconds, nanoseconds and size", "[conditional]") {
    const std::string base = make_etag(mtime, 100, 4096);
    CHECK(make_etag(mtime, 100, 4096) == base);
    CHECK(make_etag(mtime + 1, 100, 4096) != base);
    CHECK(make_etag(mtime, 101, 4096) != base);  // rewritten within the same second
    CHECK(make_etag(mtime, 100, 4097) != base);
    // No field can bleed into another.
    CHECK(make_etag(0x1, 0x23, 0x4) != make_etag(0x12, 0x3, 0x4));
    CHECK(make_etag(0x1, 0x2, 0x34) != make_etag(0x1, 0x23, 0x4));
}

TEST_CASE("etag: strong, quoted, only etagc characters", "[conditional]") {
    for (const std::string& e : {etag, make_etag(-1, 0, 7), make_etag(mtime, 999999999, UINT64_MAX)}) {
        INFO(e);
        REQUIRE(e.size() >= 2);
        CHECK(e.front() == '"');
        CHECK(e.back() == '"');
        for (size_t i = 1; i + 1 < e.size(); ++i) {
            const auto c = static_cast<unsigned char>(e[i]);
            CHECK((c == 0x21 || (c >= 0x23 && c <= 0x7E)));
        }
    }
}

TEST_CASE("preconditions: none present", "[conditional]") {
    CHECK(get({}) == Precondition::Proceed);
    CHECK(put({}) == Precondition::Proceed);
}

TEST_CASE("preconditions: If-Match", "[conditional]") {
    CHECK(get(if_match("*")) == Precondition::Proceed);
    CHECK(get(if_match(" * ")) == Precondition::Proceed);
    CHECK(get(if_match(etag)) == Precondition::Proceed);
    CHECK(get(if_match("\"other\", " + etag)) == Precondition::Proceed);
    CHECK(get(if_match(etag + ",\"other\"")) == Precondition::Proceed);
    CHECK(get(if_match(" ,, " + etag + " , ")) == Precondition::Proceed);
    CHECK(put(if_match(etag)) == Precondition::Proceed);

    // Strong comparison: a weak tag never matches.
    CHECK(get(if_match(weak_etag)) == Precondition::Failed);
    CHECK(get(if_match("\"other\"")) == Precondition::Failed);
    CHECK(get(if_match("\"other\", W/\"x\"")) == Precondition::Failed);
    CHECK(put(if_match("\"other\"")) == Precondition::Failed);
    CHECK(get(if_match("")) == Precondition::Failed);
}

TEST_CASE("preconditions: If-Match lists with junk never match", "[conditional]") {
    const std::string inner = etag.substr(1, etag.size() - 2);
    for (const std::string& junk : std::initializer_list<std::string>{inner,
                                                                      "w/" + etag,
                                                                      etag + " junk",
                                                                      etag + " " + etag,
                                                                      "junk, " + etag,
                                                                      etag + ", junk",
                                                                      "\"" + inner,
                                                                      inner + "\"",
                                                                      "*, " + etag,
                                                                      "**",
                                                                      "\"a b\"",
                                                                      "\"a\tb\"",
                                                                      std::string("\"\x7f\""),
                                                                      std::string("\"a\0b\"", 5),
                                                                      "W/",
                                                                      "W/ " + etag,
                                                                      "\"",
                                                                      ",",
                                                                      etag + ";",
                                                                      "'" + inner + "'"}) {
        INFO(junk);
        CHECK(get(if_match(junk)) == Precondition::Failed);
        CHECK(get(if_none_match(junk)) == Precondition::Proceed);
    }
}

TEST_CASE("preconditions: odd but valid entity-tags", "[conditional]") {
    CHECK(get(if_match("\"\"")) == Precondition::Failed);  // empty opaque-tag is valid, no match
    CHECK(get(if_match("\"\", " + etag)) == Precondition::Proceed);
    CHECK(get(if_match("\"caf\xc3\xa9\", " + etag)) == Precondition::Proceed);  // obs-text
    CHECK(get(if_match("\"a,b\", " + etag)) == Precondition::Proceed);          // comma inside quotes
    CHECK(get(if_none_match("\"a,b\"")) == Precondition::Proceed);
}

TEST_CASE("preconditions: If-Unmodified-Since", "[conditional]") {
    CHECK(get(if_unmodified_since(last_modified)) == Precondition::Proceed);
    CHECK(get(if_unmodified_since(one_second_later)) == Precondition::Proceed);
    CHECK(get(if_unmodified_since(one_second_earlier)) == Precondition::Failed);
    CHECK(put(if_unmodified_since(one_second_earlier)) == Precondition::Failed);
    // Not a valid HTTP-date: ignored.
    CHECK(get(if_unmodified_since("garbage")) == Precondition::Proceed);
    CHECK(get(if_unmodified_since("")) == Precondition::Proceed);
    CHECK(get(if_unmodified_since("Tue, 25 Nov 2025 21:25:15 +0100")) == Precondition::Proceed);
}

TEST_CASE("preconditions: If-Match takes precedence over If-Unmodified-Since", "[conditional]") {
    ConditionalHeaders h = if_match(etag);
    h.if_unmodified_since = one_second_earlier;
    CHECK(get(h) == Precondition::Proceed);  // If-Unmodified-Since is not evaluated
    h.if_match = "\"other\"";
    h.if_unmodified_since = one_second_later;
    CHECK(get(h) == Precondition::Failed);
}

TEST_CASE("preconditions: If-None-Match", "[conditional]") {
    CHECK(get(if_none_match(etag)) == Precondition::NotModified);
    CHECK(get(if_none_match(weak_etag)) == Precondition::NotModified);  // weak comparison
    CHECK(get(if_none_match("\"a\", " + weak_etag + ", \"b\"")) == Precondition::NotModified);
    CHECK(get(if_none_match("*")) == Precondition::NotModified);
    CHECK(get(if_none_match("\"other\"")) == Precondition::Proceed);
    CHECK(get(if_none_match("")) == Precondition::Proceed);
    // Methods other than GET/HEAD: 412.
    CHECK(put(if_none_match(etag)) == Precondition::Failed);
    CHECK(put(if_none_match("*")) == Precondition::Failed);
    CHECK(put(if_none_match("\"other\"")) == Precondition::Proceed);
}

TEST_CASE("preconditions: If-Match / If-Unmodified-Since are evaluated before If-None-Match", "[conditional]") {
    ConditionalHeaders h = if_none_match(etag);
    h.if_match = "\"other\"";
    CHECK(get(h) == Precondition::Failed);
    h.if_match = etag;
    CHECK(get(h) == Precondition::NotModified);

    h = if_none_match(etag);
    h.if_unmodified_since = one_second_earlier;
    CHECK(get(h) == Precondition::Failed);
    h.if_unmodified_since = last_modified;
    CHECK(get(h) == Precondition::NotModified);
}

TEST_CASE("preconditions: If-Modified-Since as Python reads it", "[conditional]") {
    CHECK(get(if_modified_since(last_modified)) == Precondition::NotModified);                    // equal
    CHECK(get(if_modified_since("Tue, 25 Nov 2025 22:25:16 GMT")) == Precondition::NotModified);  // +1 h
    CHECK(get(if_modified_since("Tue, 25 Nov 2025 20:25:16 GMT")) == Precondition::Proceed);      // -1 h
    CHECK(get(if_modified_since(one_second_earlier)) == Precondition::Proceed);
    CHECK(get(if_modified_since("garbage")) == Precondition::Proceed);
    CHECK(get(if_modified_since("")) == Precondition::Proceed);
    CHECK(get(if_modified_since("Tue, 25 Nov 2025 21:25:16")) == Precondition::NotModified);    // no zone
    CHECK(get(if_modified_since("Tue, 25 Nov 2025 21:25:16 +0100")) == Precondition::Proceed);  // ignored
    CHECK(get(if_modified_since("Tue, 25 Nov 2025 22:25:16 +0100")) == Precondition::Proceed);  // ignored
    CHECK(get(if_modified_since("Tue, 25 Nov 2025 21:25:16 -0000")) == Precondition::NotModified);
    CHECK(get(if_modified_since("Tue, 25 Nov 2025 21:25:16 +0000")) == Precondition::NotModified);
    CHECK(get(if_modified_since("Thu, 01 Jan 2099 00:00:00 EST")) == Precondition::Proceed);  // ignored
    CHECK(get(if_modified_since("Thu, 01 Jan 2099 00:00:00 GMT")) == Precondition::NotModified);
}

TEST_CASE("preconditions: If-Modified-Since only for GET and HEAD", "[conditional]") {
    CHECK(put(if_modified_since(last_modified)) == Precondition::Proceed);
    CHECK(put(if_modified_since("Thu, 01 Jan 2099 00:00:00 GMT")) == Precondition::Proceed);
}

TEST_CASE("preconditions: If-None-Match present -> If-Modified-Since ignored", "[conditional]") {
    ConditionalHeaders h = if_none_match("\"other\"");
    h.if_modified_since = last_modified;
    CHECK(get(h) == Precondition::Proceed);  // Python: 200 whatever If-None-Match says
    h.if_none_match = "";
    CHECK(get(h) == Precondition::Proceed);
    h.if_none_match = "junk";
    CHECK(get(h) == Precondition::Proceed);
    h.if_none_match = etag;
    h.if_modified_since = one_second_earlier;
    CHECK(get(h) == Precondition::NotModified);
}

TEST_CASE("preconditions: If-Match with If-Modified-Since", "[conditional]") {
    ConditionalHeaders h = if_match(etag);
    h.if_modified_since = last_modified;
    CHECK(get(h) == Precondition::NotModified);
    h.if_modified_since = one_second_earlier;
    CHECK(get(h) == Precondition::Proceed);
    h.if_match = "\"other\"";
    h.if_modified_since = last_modified;
    CHECK(get(h) == Precondition::Failed);
}

TEST_CASE("if-range: entity-tags use the strong comparison", "[conditional]") {
    CHECK(if_range_matches(etag, validators));
    CHECK(if_range_matches(" " + etag + "\t", validators));
    CHECK_FALSE(if_range_matches(weak_etag, validators));
    CHECK_FALSE(if_range_matches("\"other\"", validators));
    CHECK_FALSE(if_range_matches(etag + ", " + etag, validators));  // one tag, not a list
    CHECK_FALSE(if_range_matches(etag + "x", validators));
    CHECK_FALSE(if_range_matches("\"unterminated", validators));
    CHECK_FALSE(if_range_matches("W/", validators));
    CHECK_FALSE(if_range_matches("*", validators));

    const Validators weak{"W/\"abc\"", mtime};
    CHECK_FALSE(if_range_matches("W/\"abc\"", weak));
    CHECK_FALSE(if_range_matches("\"abc\"", weak));
    const Validators none{"", mtime};
    CHECK_FALSE(if_range_matches("\"\"", none));
}

TEST_CASE("if-range: an HTTP-date must equal Last-Modified exactly", "[conditional]") {
    CHECK(if_range_matches(last_modified, validators));
    CHECK(if_range_matches("Tuesday, 25-Nov-25 21:25:16 GMT", validators));  // RFC 850
    CHECK(if_range_matches("Tue Nov 25 21:25:16 2025", validators));         // asctime
    CHECK_FALSE(if_range_matches(one_second_later, validators));
    CHECK_FALSE(if_range_matches(one_second_earlier, validators));
    CHECK_FALSE(if_range_matches("Tue, 25 Nov 2025 21:25:16 +0000", validators));  // not an HTTP-date
    CHECK_FALSE(if_range_matches("garbage", validators));
    CHECK_FALSE(if_range_matches("", validators));
}
