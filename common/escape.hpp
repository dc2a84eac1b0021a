// Hex digits both ways and the escapes made of them: \xNN (log lines), Python's repr() of a
// character and %XX (urllib.parse.quote). What a caller escapes is its own rule; how is here, and
// the one rule every log line follows (append_log_escaped) is here too.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/utf8.hpp"

namespace httpserve {

// The value of one hex digit (either case), or -1.
constexpr int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

enum class HexCase { Lower, Upper };

// Appends the low `digits` hex digits of `value`, most significant first.
inline void append_hex(std::string& out, unsigned long value, int digits, HexCase hex_case = HexCase::Lower) {
    const char* const alphabet = hex_case == HexCase::Lower ? "0123456789abcdef" : "0123456789ABCDEF";
    for (int d = digits - 1; d >= 0; --d) out.push_back(alphabet[(value >> (4 * d)) & 0xF]);
}

// "\xNN" with lower-case hex, as Python's repr() writes a byte it does not show.
inline void append_backslash_x(std::string& out, unsigned char c) {
    out += "\\x";
    append_hex(out, c, 2);
}

// What a log field backslashes besides the bytes it writes as \xNN. The error log: nothing, since a
// message may quote repr() text whose backslashes must stay single. The access log: '\' (as Python
// does, so a logged "\x1b" cannot pass for an escaped ESC), and in the quoted fields of the common
// and combined formats also '"'.
enum class LogBackslashes { Keep, Escape, EscapeWithQuote };

// Appends `bytes` as a log shows them: every byte below 0x20, DEL, both bytes of a C1 control
// (U+0080..U+009F) and every byte of ill-formed UTF-8 as \xNN, so no log line can be split, forged or
// turned into terminal commands; well-formed UTF-8 from U+00A0 up as itself.
inline void append_log_escaped(std::string& out, std::string_view bytes, LogBackslashes backslashes) {
    for (std::size_t i = 0; i < bytes.size();) {
        const char c = bytes[i];
        if (c >= 0x20 && c < 0x7F) {  // printable ASCII, the common case
            if ((c == '\\' && backslashes != LogBackslashes::Keep) ||
                (c == '"' && backslashes == LogBackslashes::EscapeWithQuote))
                out.push_back('\\');
            out.push_back(c);
            ++i;
            continue;
        }
        const Utf8Step step = decode_utf8(bytes, i);
        if (step.valid && step.code_point >= 0xA0) {
            out.append(bytes.substr(i, step.length));
        } else {
            for (std::size_t k = 0; k < step.length; ++k)
                append_backslash_x(out, static_cast<unsigned char>(bytes[i + k]));
        }
        i += step.length;
    }
}

// The quote Python's repr() of a str puts around `text`: ' unless the text holds ' and no ".
constexpr char python_repr_quote(std::string_view text) {
    const bool has_single = text.find('\'') != std::string_view::npos;
    const bool has_double = text.find('"') != std::string_view::npos;
    return (has_single && !has_double) ? '"' : '\'';
}

// Appends the Latin-1 character `c` as Python's repr() writes it between `quote`s: the quote and
// '\' backslashed, \t \n \r, \xNN for what str.isprintable() rejects (C0, DEL, C1, NBSP and the
// soft hyphen), anything else as itself.
inline void append_python_repr_latin1(std::string& out, unsigned char c, char quote) {
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
    } else if (c == '\t') {
        out += "\\t";
    } else if (c == '\n') {
        out += "\\n";
    } else if (c == '\r') {
        out += "\\r";
    } else if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD) {
        append_backslash_x(out, c);
    } else {
        out.push_back(static_cast<char>(c));
    }
}

// Appends `bytes` with each byte c for which escape(c) holds written as %XX (upper-case hex, as
// urllib.parse.quote writes it).
template <class Pred>
void append_percent_encoded(std::string& out, std::string_view bytes, Pred&& escape) {
    std::size_t size = bytes.size();
    for (char c : bytes)
        if (escape(static_cast<unsigned char>(c))) size += 2;
    out.reserve(out.size() + size);
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (escape(c)) {
            out.push_back('%');
            append_hex(out, c, 2, HexCase::Upper);
        } else {
            out.push_back(ch);
        }
    }
}

}  // namespace httpserve
