// UTF-8, strictly (Unicode §3.9, Table 3-7: no overlongs, surrogates or values past U+10FFFF), with
// ill-formed input cut into maximal subparts the way Python's decoder (and WHATWG's) reports errors.
// One decoder, decode_utf8; the validator and the code-point reader are built on it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace httpserve {

struct Utf8Step {
    char32_t code_point = 0;  // meaningful only when `valid`
    std::size_t length = 1;   // bytes taken: the whole sequence, or its maximal subpart (>= 1)
    bool valid = false;
};

// Encoded surrogates (ED A0..BF 80..BF): ill-formed UTF-8, but what Python's 'surrogatepass' takes.
enum class Utf8Surrogates { Reject, Accept };

// Decodes the sequence at s[i] (requires i < s.size()). When it is ill-formed, `length` is its
// maximal subpart: the longest prefix of a well-formed sequence found there, at least one byte;
// everything after the first byte of such a subpart is a continuation byte (80..BF), which can
// never start a sequence. A decoder that emits one U+FFFD per subpart matches Python's 'replace'.
constexpr Utf8Step decode_utf8(std::string_view s, std::size_t i, Utf8Surrogates surrogates = Utf8Surrogates::Reject) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return {b0, 1, true};
    std::size_t need = 0;                // continuation bytes after the lead
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    char32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
        cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        cp = b0 & 0x0Fu;
        if (b0 == 0xE0) lo = 0xA0;                                          // no overlongs
        if (b0 == 0xED && surrogates == Utf8Surrogates::Reject) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        cp = b0 & 0x07u;
        if (b0 == 0xF0) lo = 0x90;  // no overlongs
        if (b0 == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
        return {0, 1, false};  // 80..BF (a continuation), C0/C1 (always overlong), F5..FF
    }
    for (std::size_t k = 1; k <= need; ++k) {
        if (i + k >= s.size()) return {0, k, false};  // truncated
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return {0, k, false};
        cp = (cp << 6) | (b & 0x3Fu);
    }
    return {cp, need + 1, true};
}

// True when `text` is well-formed UTF-8. When false and `bad_offset` is given, it receives the
// offset where the first ill-formed sequence starts (always inside `text`).
constexpr bool is_valid_utf8(std::string_view text, std::size_t* bad_offset = nullptr) {
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Step step = decode_utf8(text, i);
        if (!step.valid) {
            if (bad_offset) *bad_offset = i;
            return false;
        }
        i += step.length;
    }
    return true;
}

// The code point of the well-formed sequence at s[i], advancing i past it; -1, advancing one byte,
// when the bytes there are ill-formed. Requires i < s.size(). One byte at a time is the maximal
// subpart seen byte by byte (its tail bytes are ill-formed on their own), which is what
// 'surrogateescape' and repr()'s \xNN want: one escape per byte.
constexpr long next_utf8_code_point(std::string_view s, std::size_t& i) {
    const Utf8Step step = decode_utf8(s, i);
    if (!step.valid) {
        ++i;
        return -1;
    }
    i += step.length;
    return static_cast<long>(step.code_point);
}

// Appends the UTF-8 encoding of `cp` (<= U+10FFFF). Surrogates are encoded like any other code point
// (Python's 'surrogatepass'): a caller that passes one means it.
inline void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Latin-1 text (each byte one character, as Python decodes a request line) written as UTF-8.
inline void append_latin1_as_utf8(std::string& out, std::string_view latin1) {
    for (char c : latin1) append_utf8(out, static_cast<unsigned char>(c));
}

}  // namespace httpserve
