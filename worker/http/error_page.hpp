// The body of an error response, byte for byte Python's template (3.11-3.13).
#pragma once

#include <string>
#include <string_view>

namespace httpserve::http {

// `message` and `explain` are HTML-escaped (& < > only, like html.escape(quote=False)).
// Content-Type to send with it: "text/html;charset=utf-8".
// Both are Latin-1 text, as in the status line (e.g. python_repr output); the page is UTF-8 like
// Python's, so bytes >= 0x80 become two bytes. Empty means send_error's default: the status code's
// phrase / explanation ("???" for an unknown code).
std::string render_error_page(int code, std::string_view message, std::string_view explain);

// html.escape(s, quote): & < > and, with quote, " and '.
std::string html_escape(std::string_view s, bool quote = false);

// Python's repr() of a str decoded as Latin-1, as used in "Bad request syntax ('...')":
// 'x' quoted with single quotes unless the text contains ' and no ", escapes \\ \n \r \t and
// non-printables as \xNN. Returns the quoted form including the quotes.
std::string python_repr(std::string_view latin1);

}  // namespace httpserve::http
