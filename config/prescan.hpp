// Bounds on what toml11 3.7.1 is handed, checked by a small lexer before it parses. toml11 parses
// arrays and inline tables recursively (a deep file overflows the stack), is quadratic in the parts
// of a dotted key, and for every value it reads rescans the value's whole line (looking for
// comments), so a long line full of values costs its length times its values. A real config is a
// few KiB, two levels deep, with short lines; these bounds are far above that, and keep the check of
// any file under the size cap well under a second.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace httpserve {

inline constexpr int kMaxTomlNesting = 32;
// Bytes toml11 may rescan over the whole file: the sum over lines of length × values on the line.
inline constexpr size_t kMaxTomlRescan = size_t{64} << 20;
// Values, each counted once per array or table around it (toml11 spends microseconds and hundreds
// of bytes on each, and copies a nested value once for every level above it), plus n for the n-th
// part of a dotted key.
inline constexpr size_t kMaxTomlValueWork = 25000;

struct PrescanProblem {
    int line = 0;
    std::string key;  // the statement's dotted key as written ("files.index_pages"), "" when unknown
    std::string message;
};

// The first of: brackets nested deeper than kMaxTomlNesting, a key of more parts than that, more
// value work than kMaxTomlValueWork, or the rescan budget spent (each reported at the line where it
// happens). None when the text is within bounds.
// Strings and comments are skipped, so that "[[" or "..." inside them does not count.
std::optional<PrescanProblem> prescan_toml(std::string_view text);

}  // namespace httpserve
