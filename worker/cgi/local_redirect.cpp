#include "worker/cgi/local_redirect.hpp"

#include <string>

#include "common/ascii.hpp"

namespace httpserve::cgi {

namespace {

// What Python's str.split() separates a Latin-1 request line at, less the control characters (which
// a request line may not hold at all).
bool is_python_space(char c) { return c == ' ' || c == '\t' || c == '\x85' || c == '\xA0'; }

bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7F;
}

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
        if (is_control(c)) return std::nullopt;

    size_t start = 0;
    while (start < location.size() && is_python_space(location[start])) ++start;
    size_t end = start;
    while (end < location.size() && !is_python_space(location[end])) ++end;
    for (size_t i = end; i < location.size(); ++i)
        if (!is_python_space(location[i])) return std::nullopt;  // a second word
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
