// What Python's str.split(), str.strip() and str.isspace() take as whitespace, for text that Python
// holds as Latin-1 (a request line, header values): one byte is one character here.
#pragma once

#include <cstddef>
#include <string_view>

namespace httpserve {

// chr(c).isspace() for c < 256: HT LF VT FF CR, the separators FS GS RS US (0x1C..0x1F), space,
// NEL (0x85) and NO-BREAK SPACE (0xA0).
constexpr bool is_python_space(unsigned char c) {
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85 || c == 0xA0;
}

// Calls word(w) for each word of text.split(), in order.
template <class F>
constexpr void for_each_python_word(std::string_view text, F&& word) {
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_python_space(static_cast<unsigned char>(text[i]))) ++i;
        const std::size_t start = i;
        while (i < text.size() && !is_python_space(static_cast<unsigned char>(text[i]))) ++i;
        if (i > start) word(text.substr(start, i - start));
    }
}

}  // namespace httpserve
