// The one UTF-8 decoder (common/utf8.hpp): well-formed sequences, maximal subparts of ill-formed ones
// (Unicode §3.9, Table 3-8; WHATWG), and brute-force agreement with Table 3-7 (utf8_table.hpp).
// Expected U+FFFD counts are Python's bytes.decode('utf-8', 'replace').
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

#include "common/utf8.hpp"
#include "tests/unit/utf8_table.hpp"

using namespace httpserve;
using namespace std::string_literals;

namespace {

// What errors='replace' makes of `s`: one U+FFFD per maximal subpart.
std::u32string replaced(std::string_view s) {
    std::u32string out;
    for (size_t i = 0; i < s.size();) {
        const Utf8Step step = decode_utf8(s, i);
        out.push_back(step.valid ? step.code_point : U'\uFFFD');
        i += step.length;
    }
    return out;
}

// The step at the start of `s`.
Utf8Step first(std::string_view s, Utf8Surrogates surrogates = Utf8Surrogates::Reject) {
    return decode_utf8(s, 0, surrogates);
}

void check_valid(std::string_view s, char32_t cp) {
    INFO("bytes of U+" << std::hex << static_cast<unsigned long>(cp));
    const Utf8Step step = first(s);
    CHECK(step.valid);
    CHECK(step.code_point == cp);
    CHECK(step.length == s.size());
}

struct Subpart {
    std::string_view bytes;
    size_t length;  // of the maximal subpart at the start
};

void check_subparts(std::initializer_list<Subpart> cases) {
    for (const Subpart& c : cases) {
        INFO("subpart of " << c.bytes.size() << " bytes, first 0x" << std::hex
                           << +static_cast<unsigned char>(c.bytes[0]));
        const Utf8Step step = first(c.bytes);
        CHECK_FALSE(step.valid);
        CHECK(step.length == c.length);
    }
}

}  // namespace

TEST_CASE("decode_utf8: well-formed sequences at the edges of each row", "[utf8]") {
    check_valid("A", 0x41);
    check_valid("\x7F", 0x7F);
    check_valid("\0"s, 0);
    check_valid("\xC2\x80", 0x80);
    check_valid("\xDF\xBF", 0x7FF);
    check_valid("\xE0\xA0\x80", 0x800);
    check_valid("\xED\x9F\xBF", 0xD7FF);
    check_valid("\xEE\x80\x80", 0xE000);
    check_valid("\xEF\xBF\xBF", 0xFFFF);
    check_valid("\xE2\x82\xAC", 0x20AC);
    check_valid("\xF0\x90\x80\x80", 0x10000);
    check_valid("\xF0\x9F\x98\x80", 0x1F600);
    check_valid("\xF4\x8F\xBF\xBF", 0x10FFFF);
    // Only the sequence at i is taken.
    const Utf8Step step = decode_utf8("x\xC3\xA9y", 1);
    CHECK((step.valid && step.code_point == 0xE9 && step.length == 2));
}

TEST_CASE("decode_utf8: bytes that never start a sequence are one-byte subparts", "[utf8]") {
    for (int b : {0x80, 0x8F, 0xBF, 0xC0, 0xC1, 0xF5, 0xF7, 0xF8, 0xFB, 0xFC, 0xFE, 0xFF}) {
        const std::string bytes = std::string(1, static_cast<char>(b)) + "\x80\x80\x80";
        check_subparts({{bytes, 1}});
    }
}

TEST_CASE("decode_utf8: overlongs", "[utf8]") {
    check_subparts({{"\xC0\x80", 1},
                    {"\xC1\xBF", 1},
                    {"\xE0\x80\x80", 1},
                    {"\xE0\x9F\xBF", 1},
                    {"\xF0\x80\x80\x80", 1},
                    {"\xF0\x8F\xBF\xBF", 1}});
    CHECK(replaced("\xC0\xAF") == U"\uFFFD\uFFFD");
    CHECK(replaced("\xE0\x80\xAF") == U"\uFFFD\uFFFD\uFFFD");
}

TEST_CASE("decode_utf8: surrogates, rejected unless asked for", "[utf8]") {
    check_subparts({{"\xED\xA0\x80", 1}, {"\xED\xBF\xBF", 1}});
    CHECK(replaced("\xED\xA0\x80") == U"\uFFFD\uFFFD\uFFFD");

    Utf8Step step = first("\xED\xA0\x80", Utf8Surrogates::Accept);
    CHECK((step.valid && step.code_point == 0xD800 && step.length == 3));
    step = first("\xED\xB2\x80", Utf8Surrogates::Accept);
    CHECK((step.valid && step.code_point == 0xDC80 && step.length == 3));
    step = first("\xED\xBF\xBF", Utf8Surrogates::Accept);
    CHECK((step.valid && step.code_point == 0xDFFF && step.length == 3));
    // Accepting surrogates changes nothing else.
    step = first("\xED\x9F\xBF", Utf8Surrogates::Accept);
    CHECK((step.valid && step.code_point == 0xD7FF));
    step = first("\xED\xA0", Utf8Surrogates::Accept);
    CHECK((!step.valid && step.length == 2));
    step = first("\xE0\x80\x80", Utf8Surrogates::Accept);
    CHECK((!step.valid && step.length == 1));
}

TEST_CASE("decode_utf8: nothing past U+10FFFF", "[utf8]") {
    check_subparts({{"\xF4\x90\x80\x80", 1}, {"\xF4\xBF\xBF\xBF", 1}, {"\xF5\x80\x80\x80", 1}});
    CHECK(replaced("\xF4\x90\x80\x80") == U"\uFFFD\uFFFD\uFFFD\uFFFD");
    CHECK(replaced("\xF8\x88\x80\x80\x80") == U"\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD");
}

TEST_CASE("decode_utf8: truncated sequences are one subpart", "[utf8]") {
    check_subparts({{"\xC3", 1},
                    {"\xC3(", 1},
                    {"\xE2\x82", 2},
                    {"\xE2\x82x", 2},
                    {"\xE2x", 1},
                    {"\xF0\x9F\x98", 3},
                    {"\xF0\x9F\x98"
                     "A",
                     3},
                    {"\xF0\x9F", 2},
                    {"\xF4\x8F\xBF", 3},
                    {"\xE0\xA0", 2}});
    CHECK(replaced("\xF0\x9F\x98") == U"\uFFFD");
    CHECK(replaced("\xE2\x82\xE2\x82\xAC") == U"\uFFFD\u20AC");
    // Table 3-8 of the standard: U+FFFD for each maximal subpart.
    CHECK(replaced("a\xF1\x80\x80\xE1\x80\xC2"
                   "b\x80"
                   "c\x80\xBF"
                   "d") == U"a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
}

TEST_CASE("is_valid_utf8: the offset of the first ill-formed sequence", "[utf8]") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
    size_t bad = 99;
    CHECK(is_valid_utf8("ok", &bad));
    CHECK(bad == 99);  // untouched
    CHECK_FALSE(is_valid_utf8("ab\xC3", &bad));
    CHECK(bad == 2);
    CHECK_FALSE(is_valid_utf8("\xE2\x82\xACx\xED\xA0\x80", &bad));
    CHECK(bad == 4);
    CHECK_FALSE(is_valid_utf8("\xE2\x82\xE2\x82\xAC", &bad));
    CHECK(bad == 0);
    CHECK_FALSE(is_valid_utf8("x\xFF", &bad));
    CHECK(bad == 1);
    static_assert(is_valid_utf8("\xC3\xA9") && !is_valid_utf8("\xC0\xAF"));
}

TEST_CASE("next_utf8_code_point: one byte at a time through ill-formed input", "[utf8]") {
    const std::string_view s = "\xE2\x82x\xC3\xA9\xF0\x9F\x98\x80\xFF";
    size_t i = 0;
    CHECK(next_utf8_code_point(s, i) == -1);
    CHECK(i == 1);
    CHECK(next_utf8_code_point(s, i) == -1);  // the subpart's tail on its own
    CHECK(i == 2);
    CHECK(next_utf8_code_point(s, i) == 'x');
    CHECK(next_utf8_code_point(s, i) == 0xE9);
    CHECK(i == 5);
    CHECK(next_utf8_code_point(s, i) == 0x1F600);
    CHECK(i == 9);
    CHECK(next_utf8_code_point(s, i) == -1);
    CHECK(i == s.size());
}

TEST_CASE("append_utf8: round trip for every code point", "[utf8]") {
    std::string bytes;
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        bytes.clear();
        append_utf8(bytes, cp);
        const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        const size_t expected_size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        const Utf8Step strict = decode_utf8(bytes, 0);
        const Utf8Step lenient = decode_utf8(bytes, 0, Utf8Surrogates::Accept);
        const bool ok = bytes.size() == expected_size && strict.valid == !surrogate &&
                        testing::table_valid_utf8(bytes) == !surrogate && lenient.valid && lenient.code_point == cp &&
                        lenient.length == bytes.size() && (surrogate || strict.code_point == cp);
        if (!ok) FAIL("code point U+" << std::hex << static_cast<unsigned long>(cp));
    }
    SUCCEED();
}

TEST_CASE("append_latin1_as_utf8: each byte one character", "[utf8]") {
    std::string out = ">";
    append_latin1_as_utf8(out, "a\xE9\xFF\x80");
    CHECK(out == ">a\xC3\xA9\xC3\xBF\xC2\x80");
}

TEST_CASE("decode_utf8 agrees with Table 3-7 on every input of up to three bytes", "[utf8]") {
    // Validity and subpart length of the first step, compared with the table oracle. Four-byte
    // inputs: every lead and second byte from F0 up, with edge values for the last two.
    std::string s;
    auto agree = [&s] {
        const Utf8Step step = decode_utf8(s, 0);
        const size_t table_length = testing::table_sequence_length(s, 0);
        const bool ok = step.valid ? table_length == step.length
                                   : table_length == 0 && step.length == testing::table_maximal_subpart(s, 0);
        if (!ok) {
            std::string hex;
            for (unsigned char c : s) hex += " " + std::to_string(c);
            FAIL("bytes" << hex);
        }
    };
    for (int a = 0; a < 256; ++a) {
        s.assign(1, static_cast<char>(a));
        agree();
        for (int b = 0; b < 256; ++b) {
            s.assign({static_cast<char>(a), static_cast<char>(b)});
            agree();
            for (int c = 0; c < 256; ++c) {
                s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
                agree();
            }
        }
    }
    const int edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    for (int a = 0xF0; a < 256; ++a)
        for (int b = 0; b < 256; ++b)
            for (int c : edges)
                for (int d : edges) {
                    s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)});
                    agree();
                }
    SUCCEED();
}
