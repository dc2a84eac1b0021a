// Python's whitespace for Latin-1 text (common/python_space.hpp). The expected set is what
// [c for c in range(256) if chr(c).isspace()] gives (Python 3.11-3.13).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/python_space.hpp"

using namespace httpserve;

TEST_CASE("is_python_space: chr(c).isspace() for every Latin-1 character", "[python_space]") {
    const std::vector<int> python = {9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160};
    for (int c = 0; c < 256; ++c) {
        const bool expected = std::find(python.begin(), python.end(), c) != python.end();
        if (is_python_space(static_cast<unsigned char>(c)) != expected) FAIL("byte " << c);
    }
    SUCCEED();
}

TEST_CASE("for_each_python_word: str.split()", "[python_space]") {
    auto split = [](std::string_view s) {
        std::vector<std::string> words;
        for_each_python_word(s, [&words](std::string_view w) { words.emplace_back(w); });
        return words;
    };
    using V = std::vector<std::string>;
    CHECK(split("").empty());
    CHECK(split(" \t\r\n").empty());
    CHECK(split("a") == V{"a"});
    CHECK(split("  Basic   dXNlcjpwYXNz  ") == V{"Basic", "dXNlcjpwYXNz"});
    // '\x1c' and NBSP separate words; '\x1b' (ESC) and U+00AD do not.
    CHECK(split("Sun,\xA0"
                "06\x85Nov\x1c"
                "1994\x0b"
                "GMT") == V{"Sun,", "06", "Nov", "1994", "GMT"});
    CHECK(split("a\x1b"
                "b\xAD"
                "c") == V{"a\x1b"
                          "b\xAD"
                          "c"});
}
