#pragma once
#include <cstddef>
#include <string_view>

namespace httpserve {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
// When false and `bad_offset` is given, it receives the offset of the first bad byte.
bool is_valid_utf8(std::string_view text, size_t* bad_offset = nullptr);

}  // namespace httpserve
