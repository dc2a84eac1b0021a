#include "config/utf8.hpp"

#include <cstdint>

namespace httpserve {

// The offset reported is where the ill-formed sequence starts (always inside `text`).
// Table 3-7 of the Unicode standard: the second byte's range depends on the first byte, which is
// what rules out overlongs (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
bool is_valid_utf8(std::string_view text, size_t* bad_offset) {
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
    const auto fail = [&](size_t offset) {
        if (bad_offset) *bad_offset = offset;
        return false;
    };
    size_t i = 0;
    while (i < text.size()) {
        const uint8_t lead = byte(i);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        size_t length = 0;
        uint8_t second_min = 0x80, second_max = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) second_min = 0xA0;
            if (lead == 0xED) second_max = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) second_min = 0x90;
            if (lead == 0xF4) second_max = 0x8F;
        } else {
            return fail(i);  // a continuation byte, C0/C1 (overlong) or F5..FF
        }
        for (size_t k = 1; k < length; ++k) {
            if (i + k >= text.size()) return fail(i);  // truncated: the sequence starts here
            const uint8_t b = byte(i + k);
            const uint8_t lo = k == 1 ? second_min : 0x80;
            const uint8_t hi = k == 1 ? second_max : 0xBF;
            if (b < lo || b > hi) return fail(i);
        }
        i += length;
    }
    return true;
}

}  // namespace httpserve
