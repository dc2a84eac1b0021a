// An oracle for UTF-8 well-formedness that shares no code with common/utf8.hpp: Unicode's Table 3-7
// ("Well-Formed UTF-8 Byte Sequences") written down as data and matched row by row, where the
// decoder works from the lead byte with computed bounds. Tests and the path_map fuzzer check the
// decoder (and what is built on it) against this.
#pragma once

#include <cstddef>
#include <string_view>

namespace httpserve::testing {

struct Utf8TableRow {
    unsigned char lo[4];
    unsigned char hi[4];
    std::size_t length;
};

// Table 3-7, one row per line of the standard.
inline constexpr Utf8TableRow kUtf8Table[] = {
    {{0x00}, {0x7F}, 1},
    {{0xC2, 0x80}, {0xDF, 0xBF}, 2},
    {{0xE0, 0xA0, 0x80}, {0xE0, 0xBF, 0xBF}, 3},
    {{0xE1, 0x80, 0x80}, {0xEC, 0xBF, 0xBF}, 3},
    {{0xED, 0x80, 0x80}, {0xED, 0x9F, 0xBF}, 3},
    {{0xEE, 0x80, 0x80}, {0xEF, 0xBF, 0xBF}, 3},
    {{0xF0, 0x90, 0x80, 0x80}, {0xF0, 0xBF, 0xBF, 0xBF}, 4},
    {{0xF1, 0x80, 0x80, 0x80}, {0xF3, 0xBF, 0xBF, 0xBF}, 4},
    {{0xF4, 0x80, 0x80, 0x80}, {0xF4, 0x8F, 0xBF, 0xBF}, 4},
};

// How many bytes of `s` from `i` on fit `row` (stops at the row's length or the end of `s`).
constexpr std::size_t table_match(const Utf8TableRow& row, std::string_view s, std::size_t i) {
    std::size_t k = 0;
    while (k < row.length && i + k < s.size()) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (b < row.lo[k] || b > row.hi[k]) break;
        ++k;
    }
    return k;
}

// Length of the well-formed sequence at s[i], or 0 when no row matches in full.
constexpr std::size_t table_sequence_length(std::string_view s, std::size_t i) {
    for (const Utf8TableRow& row : kUtf8Table)
        if (table_match(row, s, i) == row.length) return row.length;
    return 0;
}

// The maximal subpart at s[i] by its definition: the longest run of bytes that starts some row,
// at least one byte.
constexpr std::size_t table_maximal_subpart(std::string_view s, std::size_t i) {
    std::size_t longest = 1;
    for (const Utf8TableRow& row : kUtf8Table) {
        const std::size_t k = table_match(row, s, i);
        if (k > longest) longest = k;
    }
    return longest;
}

constexpr bool table_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = table_sequence_length(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

}  // namespace httpserve::testing
