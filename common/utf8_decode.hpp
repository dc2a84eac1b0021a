// Decoding UTF-8 one code point at a time, strictly (no overlongs, surrogates or values past
// U+10FFFF), for the places that must treat ill-formed bytes the way Python does.
#pragma once

#include <cstddef>
#include <string_view>

namespace httpserve {

// The code point of the well-formed sequence at s[i], advancing i past it; -1 (advancing one byte)
// when the bytes there are not well-formed UTF-8. Requires i < s.size().
inline long next_utf8_code_point(std::string_view s, size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    long cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        cp = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;  // no overlongs
        if (b0 == 0xED) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        cp = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;  // no overlongs
        if (b0 == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
        ++i;
        return -1;
    }
    if (i + need >= s.size()) {
        ++i;
        return -1;
    }
    for (size_t k = 1; k <= need; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
            ++i;
            return -1;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += need + 1;
    return cp;
}

}  // namespace httpserve
