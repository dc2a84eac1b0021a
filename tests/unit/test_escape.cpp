// Hex digits and byte escapes (common/escape.hpp).
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "common/escape.hpp"

using namespace httpserve;

TEST_CASE("hex_digit_value: either case, -1 for anything else", "[escape]") {
    CHECK(hex_digit_value('0') == 0);
    CHECK(hex_digit_value('9') == 9);
    CHECK(hex_digit_value('a') == 10);
    CHECK(hex_digit_value('F') == 15);
    for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xC3'}) CHECK(hex_digit_value(c) == -1);
}

TEST_CASE("append_hex and append_backslash_x", "[escape]") {
    std::string out = ">";
    append_hex(out, 0x1F600, 8);
    CHECK(out == ">0001f600");
    out.clear();
    append_hex(out, 0xAB, 2, HexCase::Upper);
    CHECK(out == "AB");
    out.clear();
    append_backslash_x(out, 0x00);
    append_backslash_x(out, 0x7F);
    append_backslash_x(out, 0xE9);
    CHECK(out == "\\x00\\x7f\\xe9");
}

TEST_CASE("append_percent_encoded: the caller's bytes as %XX", "[escape]") {
    std::string out = "/";
    append_percent_encoded(out, "a b\xE9/%", [](unsigned char c) { return c == ' ' || c == '%' || c >= 0x80; });
    CHECK(out == "/a%20b%E9/%25");
    out.clear();
    append_percent_encoded(out, "", [](unsigned char) { return true; });
    CHECK(out.empty());
}

TEST_CASE("python_repr_quote and append_python_repr_latin1: repr() of a str", "[escape]") {
    CHECK(python_repr_quote("plain") == '\'');
    CHECK(python_repr_quote("it's") == '"');
    CHECK(python_repr_quote("it's \"x\"") == '\'');
    CHECK(python_repr_quote("\"") == '\'');
    auto body = [](std::string_view latin1, char quote) {
        std::string out;
        for (char c : latin1) append_python_repr_latin1(out, static_cast<unsigned char>(c), quote);
        return out;
    };
    // The bodies Python's repr() gives for these characters with that quote.
    CHECK(body("a'\"\\\t\n\r", '\'') == "a\\'\"\\\\\\t\\n\\r");
    CHECK(body("a'\"", '"') == "a'\\\"");
    CHECK(body(std::string("\x00\x1f\x7f\x85\xA0\xAD", 6), '\'') == "\\x00\\x1f\\x7f\\x85\\xa0\\xad");
    CHECK(body("\xA1\xE9\xFF~ ", '\'') == "\xA1\xE9\xFF~ ");
}

namespace {
std::string log_escaped(std::string_view bytes, LogBackslashes backslashes = LogBackslashes::Keep) {
    std::string out;
    append_log_escaped(out, bytes, backslashes);
    return out;
}
std::string backslash_x(unsigned char c) {
    std::string out;
    append_backslash_x(out, c);
    return out;
}
}  // namespace

TEST_CASE("append_log_escaped: every single byte", "[escape][log]") {
    for (int b = 0; b < 256; ++b) {
        const auto c = static_cast<unsigned char>(b);
        const std::string one(1, static_cast<char>(c));
        INFO("byte " << b);
        if (c < 0x20 || c >= 0x7F) {
            // C0 controls, DEL, and 0x80..0xFF alone (never well-formed UTF-8 on its own)
            CHECK(log_escaped(one) == backslash_x(c));
            CHECK(log_escaped(one, LogBackslashes::EscapeWithQuote) == backslash_x(c));
        } else if (c == '\\') {
            CHECK(log_escaped(one) == "\\");
            CHECK(log_escaped(one, LogBackslashes::Escape) == "\\\\");
            CHECK(log_escaped(one, LogBackslashes::EscapeWithQuote) == "\\\\");
        } else if (c == '"') {
            CHECK(log_escaped(one) == "\"");
            CHECK(log_escaped(one, LogBackslashes::Escape) == "\"");
            CHECK(log_escaped(one, LogBackslashes::EscapeWithQuote) == "\\\"");
        } else {
            CHECK(log_escaped(one) == one);
            CHECK(log_escaped(one, LogBackslashes::EscapeWithQuote) == one);
        }
    }
}

TEST_CASE("append_log_escaped: C1 controls escaped, UTF-8 from U+00A0 kept", "[escape][log]") {
    for (char32_t cp = 0x80; cp <= 0x9F; ++cp) {
        std::string encoded;
        append_utf8(encoded, cp);
        CHECK(log_escaped(encoded) == "\\xc2" + backslash_x(static_cast<unsigned char>(encoded[1])));
    }
    for (char32_t cp : {0xA0u, 0xADu, 0xE9u, 0xFFu, 0x100u, 0x2028u, 0xFFFDu, 0x1F600u, 0x10FFFFu}) {
        std::string encoded;
        append_utf8(encoded, cp);
        CHECK(log_escaped(encoded) == encoded);
    }
    CHECK(log_escaped("caf\xC3\xA9 \xE2\x82\xAC") == "caf\xC3\xA9 \xE2\x82\xAC");
}

TEST_CASE("append_log_escaped: ill-formed UTF-8 byte by byte, the text around it kept", "[escape][log]") {
    CHECK(log_escaped("\xC0\xAF") == "\\xc0\\xaf");                    // overlong
    CHECK(log_escaped("\xE0\x80\x80") == "\\xe0\\x80\\x80");           // overlong
    CHECK(log_escaped("\xED\xA0\x80") == "\\xed\\xa0\\x80");           // surrogate
    CHECK(log_escaped("\xF4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
    CHECK(log_escaped("\xF5\xFE\xFF") == "\\xf5\\xfe\\xff");
    CHECK(log_escaped("a\xE2\x82") == "a\\xe2\\x82");           // truncated at the end
    CHECK(log_escaped("\xE2\x82z\xC3") == "\\xe2\\x82z\\xc3");  // truncated before ASCII
    CHECK(log_escaped("\xF0\x9F\x98") == "\\xf0\\x9f\\x98");
    CHECK(log_escaped("\x80\xC3\xA9") == "\\x80\xC3\xA9");  // a stray continuation, then é
}

TEST_CASE("append_log_escaped: a forged log line stays on one line", "[escape][log]") {
    const std::string forged =
        "x\n[2026-01-01 00:00:00.000] [critical] FORGED\r\x1b[2J\xC2\x9b"
        "31m";
    const std::string out = log_escaped(forged);
    CHECK(out == "x\\x0a[2026-01-01 00:00:00.000] [critical] FORGED\\x0d\\x1b[2J\\xc2\\x9b31m");
    for (char c : out) CHECK(static_cast<unsigned char>(c) >= 0x20);
    CHECK(log_escaped(std::string("a\0b", 3)) == "a\\x00b");
    std::string appended = "kept ";
    append_log_escaped(appended, "\t", LogBackslashes::Keep);
    CHECK(appended == "kept \\x09");
}
