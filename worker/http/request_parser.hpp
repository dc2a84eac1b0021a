// The request-head parser: a pure function over the bytes received so far. Zero-copy: every view in
// Request points into the caller's buffer, which must stay unchanged while the Request is used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace httpserve::http {

struct Header {
    std::string_view name;   // as sent (case kept)
    std::string_view value;  // leading/trailing SP/HTAB trimmed
};

struct ParseLimits {
    size_t max_request_line = 65536;  // bytes incl. CRLF, as Python counts; above: 414
    size_t max_header_lines = 99;     // above: 431 "Too many headers"
    size_t max_header_line = 65536;   // bytes incl. CRLF; above: 431 "Line too long"
};

enum class BodyFraming { None, ContentLength, Chunked };
enum class ConnectionToken { None, Close, KeepAlive };

struct Request {
    std::string_view method;  // case-sensitive, as sent
    std::string_view target;  // request-target as sent
    int version_major = 1;
    int version_minor = 1;
    bool http09 = false;  // two-word request line "GET /x": no headers were read
    std::vector<Header> headers;

    size_t head_length = 0;  // bytes of the head incl. the blank line (what to consume)

    // Derived from the headers (RFC 9112 §6):
    BodyFraming body = BodyFraming::None;
    uint64_t content_length = 0;                         // valid when body == ContentLength
    ConnectionToken connection = ConnectionToken::None;  // from Connection: (close wins)
    bool expect_continue = false;                        // Expect: 100-continue (case-insensitive)

    // HTTP/1.1 or later: persistent by default, may use chunked and 100-continue.
    bool at_least_http11() const { return version_major > 1 || (version_major == 1 && version_minor >= 1); }

    // First header with this name (case-insensitive), or empty view and false.
    const Header* find(std::string_view name) const;
    void clear();
};

enum class ParseStatus { Complete, Incomplete, Error };

// For ParseStatus::Error: the answer to send. The connection is closed after it.
struct ParseError {
    int status = 400;
    std::string reason;   // status-line message, e.g. "Bad request version ('FOO/1.0')"
    std::string explain;  // error-page explanation; "" = the status code's default explanation
};

// Parses one request head from the start of `buffer`.
//  - Complete: `out` is filled, out.head_length bytes may be consumed.
//  - Incomplete: more bytes are needed (limits already checked against what is there: a request
//    line or header line that already exceeds its limit is an Error, not Incomplete).
//  - Error: `error` says what to answer.
// Leading empty lines (CRLF or LF) before the request line are skipped (RFC 9112 §2.2); their bytes
// count in head_length.
ParseStatus parse_request(std::string_view buffer, const ParseLimits& limits, Request& out, ParseError& error);

bool is_token(std::string_view s);  // RFC 9110 token characters only

}  // namespace httpserve::http
