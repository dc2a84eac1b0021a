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
