// The header block a CGI script writes before its body (RFC 3875 §6), parsed into what the server
// sends. Python passes the script's output through verbatim after its own "200 Script output
// follows"; we honour Status and Location and frame the response ourselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace httpserve::cgi {

enum class CgiHeadStatus { Complete, Incomplete, Error };

enum class CgiResponseKind {
    // Content-Type (optional Status, default 200): the script's output after the head is the body.
    Document,
    // Location is a local path ("/..." but not "//...") and there is no Status (§6.2.2): discard
    // the script's output and answer as for a GET of `location` (path and query; cap the hops).
    LocalRedirect,
    // Any other Location, or a local one with a Status (§6.2.3/6.2.4): sent to the client with the
    // Status given, else 302 Found. The script's output is the body only with a Content-Type.
    ClientRedirect,
};

struct CgiField {
    std::string name;   // as the script wrote it
    std::string value;  // SP/HTAB trimmed; no CTL except HTAB
};

struct CgiHead {
    CgiResponseKind kind = CgiResponseKind::Document;
    int status = 200;    // 200..599 (meaningless for LocalRedirect)
    std::string reason;  // Status' reason, else the standard phrase ("" if none is known)
    bool status_given = false;
    std::string content_type;                // "" when the script sent none
    std::string location;                    // "" when the script sent none
    std::optional<uint64_t> content_length;  // a digits-only Content-Length: the body's length as
                                             // the script announces it (frame with it, or cut)
    bool body_from_script = true;            // whether the output after the head is the response body:
                                             // false for LocalRedirect, a ClientRedirect without
                                             // Content-Type, and 204/304
    std::vector<CgiField> fields;            // all other fields, in order (Set-Cookie, Cache-Control, ...)
    size_t body_offset = 0;                  // Complete: bytes of the head including its empty line
    std::string error;                       // Error: why, for the error log

    void clear();
};

// Parses the head at the start of `buffered` (everything the script has written so far; call again
// with more). Lines end with LF or CRLF; the head ends at the first empty line.
//  - Complete: `out` is filled; the body starts at out.body_offset (<= max_head).
//  - Incomplete: no empty line yet, and fewer than max_head bytes so far.
//  - Error (`out.error` says why; answer 502 Bad Gateway, the script's response is unusable):
//    no empty line within the first max_head bytes; a line without ':', a field name that is not a
//    token, a continuation line (leading SP/HTAB), a value with a CR, NUL or other control character;
//    Status not "NNN" or "NNN reason" with NNN in 200..599 (a 1xx would not end the exchange);
//    Status, Location or Content-Type twice, or an empty Location/Content-Type; two different
//    Content-Lengths; neither Content-Type nor Location (a Status 204 or 304 alone is accepted).
//    Errors in complete lines are reported as soon as they are seen, before the head is complete.
// Dropped: hop-by-hop fields the server owns (Connection, Keep-Alive, Proxy-Connection, TE,
// Trailer, Transfer-Encoding, Upgrade), Date and Server (the server adds its own) and
// Content-Length (exposed as content_length when digits only, else ignored: the server frames).
CgiHeadStatus parse_cgi_head(std::string_view buffered, size_t max_head, CgiHead& out);

// The header lines to send after the status line ("Name: value\r\n" each): Content-Type, Location
// (redirects), then the other fields in order. Not Status, Content-Length, Date, Server or framing,
// which the caller adds. "" for a LocalRedirect.
std::string render_cgi_response_headers(const CgiHead& head);

}  // namespace httpserve::cgi
