// ASCII helpers for protocol text (header names and values, units, schemes, month names): case
// folding that is never the locale's, since a protocol's "case-insensitive" means ASCII letters only,
// and HTTP's optional whitespace (OWS: spaces and tabs, RFC 9110 section 5.6.3).
#pragma once

#include <cstddef>
#include <string_view>

namespace httpserve {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

constexpr bool iequals_ascii(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

constexpr bool is_ows(char c) { return c == ' ' || c == '\t'; }

// C0 controls and DEL: what no log line, header or environment value should carry raw.
constexpr bool is_ascii_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
}

constexpr std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace httpserve
