#include "worker/cgi/local_redirect.hpp"

#include <string>

#include "common/ascii.hpp"

namespace httpserve::cgi {

namespace {

// What separates the words of a request line (worker/http/request_parser.cpp): SP and HTAB only.
bool is_separator(char c) { return c == ' ' || c == '\t'; }

// What a request line may not hold at all: control characters but HTAB, and NEL and NBSP, which
// Python would split at and the parser refuses rather than split at.
bool is_refused(char c) { return (is_ascii_control(c) && c != '\t') || c == '\x85' || c == '\xA0'; }

bool is_body_field(std::string_view name) {
    return iequals_ascii(name, "Content-Length") || iequals_ascii(name, "Transfer-Encoding") ||
           iequals_ascii(name, "Expect");
}

}  // namespace

std::optional<http::OwnedRequest> local_redirect_request(const http::Request& original, std::string_view location,
                                                         const http::ParseLimits& limits) {
    const std::string line = http::format_request_line("GET", location, original);
    if (line.size() + 2 > limits.max_request_line) return std::nullopt;
    for (char c : location)
        if (is_refused(c)) return std::nullopt;

    size_t start = 0;
    while (start < location.size() && is_separator(location[start])) ++start;
    size_t end = start;
    while (end < location.size() && !is_separator(location[end])) ++end;
    for (size_t i = end; i < location.size(); ++i)
        if (!is_separator(location[i])) return std::nullopt;  // a second word
    if (end == start) return std::nullopt;

    http::Request fields;
    fields.method = "GET";
    fields.target = location.substr(start, end - start);
    fields.version_major = original.version_major;
    fields.version_minor = original.version_minor;
    fields.http09 = original.http09;
    for (const http::Header& h : original.headers)
        if (!is_body_field(h.name)) fields.headers.push_back(h);
    fields.connection = original.connection;  // its Connection fields are all kept
    return http::OwnedRequest(fields, line);
}

}  // namespace httpserve::cgi
