// Request-head parser: one pass over the buffer, lines found with memchr, results are views into it.
// Three steps: the request line, the header block, then the framing decision from the fields.
// The request line follows Python's BaseHTTPRequestHandler.parse_request (same checks, same order,
// same messages) except for its separators: only SP and HTAB split it (RFC 9112 §3), where Python's
// str.split() also splits on VT, FF, FS..US, NEL and NBSP; a line holding one of those is a 400.
// Headers follow RFC 9112 §5 strictly, with Python's http.client limits; HTTP/1.1 needs Host.
#include "worker/http/request_parser.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>

#include "common/ascii.hpp"
#include "common/python_space.hpp"
#include "worker/http/error_page.hpp"

namespace httpserve::http {

namespace {

enum CharClass : uint8_t {
    kToken = 1,          // RFC 9110 tchar
    kSeparator = 2,      // splits the request line: SP and HTAB
    kBadInValue = 4,     // CTL except HTAB, and DEL: never allowed in a field value
    kBadInTarget = 8,    // below 0x20, and DEL
    kForeignSpace = 16,  // what str.split() would split on besides SP and HTAB (bare CR included):
                         // a request line holding one is rejected, never split there
};

constexpr std::array<uint8_t, 256> make_classes() {
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        uint8_t v = 0;
        constexpr std::string_view kTokenPunct = "!#$%&'*+-.^_`|~";
        const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alnum || kTokenPunct.find(static_cast<char>(c)) != std::string_view::npos) v |= kToken;
        if (c == ' ' || c == '\t') v |= kSeparator;
        else if (is_python_space(static_cast<unsigned char>(c))) v |= kForeignSpace;
        if ((c < 0x20 && c != '\t') || c == 0x7F) v |= kBadInValue;
        if (c < 0x20 || c == 0x7F) v |= kBadInTarget;
        t[static_cast<size_t>(c)] = v;
    }
    return t;
}

constexpr std::array<uint8_t, 256> kClass = make_classes();

inline bool has(char c, CharClass cls) { return (kClass[static_cast<unsigned char>(c)] & cls) != 0; }

// Calls f(element) for each element of a comma-separated list, OWS trimmed (empty ones included).
template <class F>
bool for_each_element(std::string_view list, F&& f) {
    for (;;) {
        const size_t comma = list.find(',');
        if (!f(trim_ows(list.substr(0, comma)))) return false;
        if (comma == std::string_view::npos) return true;
        list.remove_prefix(comma + 1);
    }
}

ParseStatus fail(ParseError& error, int status, std::string reason, std::string explain = {}) {
    error.status = status;
    error.reason = std::move(reason);
    error.explain = std::move(explain);
    return ParseStatus::Error;
}

ParseStatus bad_syntax(ParseError& error, std::string_view line) {
    return fail(error, 400, "Bad request syntax (" + python_repr(line) + ")");
}

// "HTTP/" 1*10DIGIT "." 1*10DIGIT, as Python checks it; numbers clamped to INT_MAX.
bool parse_version(std::string_view word, int& major, int& minor) {
    constexpr std::string_view kPrefix = "HTTP/";
    if (word.substr(0, kPrefix.size()) != kPrefix) return false;
    std::string_view rest = word.substr(kPrefix.size());
    auto number = [&rest](int& out) {
        size_t n = 0;
        uint64_t v = 0;
        while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') v = v * 10 + static_cast<uint64_t>(rest[n++] - '0');
        if (n == 0 || n > 10) return false;  // 10 digits cannot overflow 64 bits
        out = static_cast<int>(std::min<uint64_t>(v, INT_MAX));
        rest.remove_prefix(n);
        return true;
    };
    if (!number(major) || rest.empty() || rest.front() != '.') return false;
    rest.remove_prefix(1);
    return number(minor) && rest.empty();
}

// What the header fields say about framing and the connection, gathered while they are read.
struct Derived {
    bool have_length = false;
    uint64_t length = 0;
    bool have_te = false;
    unsigned chunked_count = 0;
    bool chunked_last = false;
    bool other_coding = false;
    unsigned host_count = 0;
    bool close = false;
    bool keep_alive = false;
    bool expect_continue = false;
};

// Content-Length: 1*19DIGIT, possibly as a list of identical values ("5, 5"; RFC 9110 §8.6).
bool add_content_length(Derived& d, std::string_view value) {
    return for_each_element(value, [&d](std::string_view e) {
        if (e.empty() || e.size() > 19) return false;
        uint64_t v = 0;
        for (char c : e) {
            if (c < '0' || c > '9') return false;
            v = v * 10 + static_cast<uint64_t>(c - '0');  // 19 digits fit in 64 bits
        }
        if (d.have_length && d.length != v) return false;
        d.have_length = true;
        d.length = v;
        return true;
    });
}

void add_transfer_encoding(Derived& d, std::string_view value) {
    d.have_te = true;
    for_each_element(value, [&d](std::string_view e) {
        if (e.empty()) return true;  // RFC 9110 §5.6.1: empty list elements are ignored
        const bool chunked = iequals_ascii(e, "chunked");
        d.chunked_count += chunked ? 1 : 0;
        d.other_coding |= !chunked;
        d.chunked_last = chunked;
        return true;
    });
}

void add_connection(Derived& d, std::string_view value) {
    for_each_element(value, [&d](std::string_view e) {
        if (iequals_ascii(e, "close")) d.close = true;
        else if (iequals_ascii(e, "keep-alive")) d.keep_alive = true;
        return true;
    });
}

// Header names that matter for framing, dispatched on length first (cheap for all others).
ParseStatus note_header(Derived& d, const Header& h, ParseError& error) {
    switch (h.name.size()) {
        case 4:
            if (iequals_ascii(h.name, "host") && ++d.host_count > 1) return fail(error, 400, "Multiple Host headers");
            break;
        case 6:
            if (iequals_ascii(h.name, "expect") && iequals_ascii(h.value, "100-continue")) d.expect_continue = true;
            break;
        case 10:
            if (iequals_ascii(h.name, "connection")) add_connection(d, h.value);
            break;
        case 14:
            if (iequals_ascii(h.name, "content-length") && !add_content_length(d, h.value))
                return fail(error, 400, "Bad Content-Length");
            break;
        case 17:
            if (iequals_ascii(h.name, "transfer-encoding")) add_transfer_encoding(d, h.value);
            break;
        default: break;
    }
    return ParseStatus::Complete;
}

// The first byte in [p, e) that may not appear in a field value, or e. Field values are most of a
// head's bytes, so eight are checked at a time (SWAR): a word with no byte below 0x20 and no DEL is
// clean; otherwise (often just an HTAB) that word is looked at byte by byte.
const char* skip_value_bytes(const char* p, const char* e) {
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    while (e - p >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;  // exact for "any byte < 0x20"
        const uint64_t x = w ^ (kOnes * 0x7F);
        const uint64_t del = (x - kOnes) & ~x & kHigh;  // exact for "any byte == 0x7F"
        if ((below_space | del) == 0) {
            p += 8;
            continue;
        }
        for (const char* word_end = p + 8; p < word_end; ++p)
            if (has(*p, kBadInValue)) return p;
    }
    while (p < e && !has(*p, kBadInValue)) ++p;
    return p;
}

// One complete header line (without its line ending): validate, split, trim.
ParseStatus parse_header_line(const char* p, const char* e, Header& h, ParseError& error) {
    if (is_ows(*p)) return fail(error, 400, "Bad header line (obsolete line folding)");
    const char* q = p;
    while (q < e && has(*q, kToken)) ++q;
    if (q == e || *q != ':') {
        if (q < e && *q == '\r') return fail(error, 400, "Bad header line (bare CR)");
        if (q == e || !std::memchr(q, ':', static_cast<size_t>(e - q)))
            return fail(error, 400, "Bad header line (no colon)");
        if (is_ows(*q)) return fail(error, 400, "Bad header line (whitespace before the colon)");
        return fail(error, 400, "Bad header line (invalid character in the field name)");
    }
    if (q == p) return fail(error, 400, "Bad header line (empty field name)");
    h.name = std::string_view(p, static_cast<size_t>(q - p));

    const char* v = q + 1;
    while (v < e && is_ows(*v)) ++v;
    const char* r = skip_value_bytes(v, e);
    if (r != e) {
        return fail(
            error, 400,
            *r == '\r' ? "Bad header line (bare CR)" : "Bad header line (control character in the field value)");
    }
    while (r > v && is_ows(r[-1])) --r;
    h.value = std::string_view(v, static_cast<size_t>(r - v));
    return ParseStatus::Complete;
}

// ---------------------------------------------------------------- step 1: the request line

// Finds the request line at `p`, skipping empty lines before it (RFC 9112 §2.2), at most a line's
// worth. Complete: `line` is that line without its line ending, `p` is just past its LF.
ParseStatus find_request_line(const char* begin, const char*& p, const char* end, size_t max_line,
                              std::string_view& line, ParseError& error) {
    for (;;) {
        const auto avail = static_cast<size_t>(end - p);
        const char* const lf =
            avail > 0 ? static_cast<const char*>(std::memchr(p, '\n', std::min(avail, max_line))) : nullptr;
        if (lf == nullptr) {
            // Python: readline(65537) returning more than 65536 bytes. Without an LF in the first
            // max_request_line bytes, the line can only end up longer than that.
            if (avail >= max_line) return fail(error, 414, "URI Too Long");
            return ParseStatus::Incomplete;
        }
        const char* line_end = lf;                                // the line without its trailing CRs
        while (line_end > p && line_end[-1] == '\r') --line_end;  // Python: rstrip('\r\n')
        const char* const line_start = p;
        p = lf + 1;
        if (line_end != line_start) {
            line = std::string_view(line_start, static_cast<size_t>(line_end - line_start));
            return ParseStatus::Complete;
        }
        if (static_cast<size_t>(p - begin) > max_line)
            return fail(error, 400, "Bad request syntax (too many empty lines before the request line)");
    }
}

// The request line split on runs of SP and HTAB (edges ignored, as Python's split() does), keeping
// only what the checks need: the first two words and the last one, and the AND and OR of the
// character classes of the first two (token check and target check in the same pass).
struct RequestLineWords {
    std::string_view first[2];
    uint8_t all_bits[2] = {0, 0};
    uint8_t any_bits[2] = {0, 0};
    std::string_view last;
    size_t count = 0;
    bool foreign_space = false;  // a byte Python would have split on that is not SP or HTAB
};

RequestLineWords split_request_line(std::string_view line) {
    RequestLineWords w;
    for (size_t i = 0; i < line.size();) {
        while (i < line.size() && has(line[i], kSeparator)) ++i;
        if (i == line.size()) break;
        const size_t start = i;
        uint8_t all = 0xFF, any = 0;
        for (; i < line.size(); ++i) {
            const uint8_t bits = kClass[static_cast<unsigned char>(line[i])];
            if (bits & kSeparator) break;
            all &= bits;
            any |= bits;
        }
        w.foreign_space |= (any & kForeignSpace) != 0;
        w.last = line.substr(start, i - start);
        if (w.count < 2) {
            w.first[w.count] = w.last;
            w.all_bits[w.count] = all;
            w.any_bits[w.count] = any;
        }
        ++w.count;
    }
    return w;
}

// Python's checks of the request line, in its order: fills method, target and version (0.9 for a
// two-word line, which sets http09).
ParseStatus check_request_line(std::string_view line, Request& out, ParseError& error) {
    const RequestLineWords w = split_request_line(line);
    if (w.foreign_space || w.count == 0 || w.count == 1) return bad_syntax(error, line);

    if (w.count >= 3) {
        int major = 0, minor = 0;
        if (!parse_version(w.last, major, minor))
            return fail(error, 400, "Bad request version (" + python_repr(w.last) + ")");
        if (major >= 2)  // Python prints the digits as sent
            return fail(error, 505, "Invalid HTTP version (" + std::string(w.last.substr(5)) + ")");
        if (w.count > 3) return bad_syntax(error, line);
        out.version_major = major;
        out.version_minor = minor;
    } else if (w.first[0] != "GET") {
        return fail(error, 400, "Bad HTTP/0.9 request type (" + python_repr(w.first[0]) + ")");
    }

    // Stricter than Python (which answers 501 for any method name): no control bytes anywhere.
    if ((w.all_bits[0] & kToken) == 0 || (w.any_bits[1] & kBadInTarget) != 0) return bad_syntax(error, line);
    out.method = w.first[0];
    out.target = w.first[1];

    if (w.count == 2) {  // HTTP/0.9: no headers follow (Python 3.14 behaviour)
        out.http09 = true;
        out.version_major = 0;
        out.version_minor = 9;
    }
    return ParseStatus::Complete;
}

// Step 1: the request line at `p`. Complete: `p` is just past it.
ParseStatus parse_request_line(const char* begin, const char*& p, const char* end, const ParseLimits& limits,
                               Request& out, ParseError& error) {
    std::string_view line;
    const ParseStatus found = find_request_line(begin, p, end, limits.max_request_line, line, error);
    if (found != ParseStatus::Complete) return found;
    return check_request_line(line, out, error);
}

// ---------------------------------------------------------------- step 2: the header block

ParseStatus too_many_headers(ParseError& error, const ParseLimits& limits) {
    return fail(error, 431, "Too many headers",
                "got more than " + std::to_string(limits.max_header_lines + 1) + " headers");
}

// Step 2: the header lines at `p` up to the empty line that ends the head. Each field is checked,
// appended to out.headers and noted in `d` as it is read. Complete: `p` is just past the empty line.
// http.client counts that empty line too, hence "+ 1" in the "Too many headers" explanation.
ParseStatus parse_header_block(const char*& p, const char* end, const ParseLimits& limits, Request& out, Derived& d,
                               ParseError& error) {
    size_t header_lines = 0;
    for (;;) {
        const auto avail = static_cast<size_t>(end - p);
        const char* const lf =
            avail > 0 ? static_cast<const char*>(std::memchr(p, '\n', std::min(avail, limits.max_header_line)))
                      : nullptr;
        if (lf == nullptr) {
            if (avail >= limits.max_header_line) {
                return fail(
                    error, 431, "Line too long",
                    "got more than " + std::to_string(limits.max_header_line) + " bytes when reading header line");
            }
            if (avail > 0 && header_lines >= limits.max_header_lines && *p != '\r')
                return too_many_headers(error, limits);
            return ParseStatus::Incomplete;
        }
        const char* e = (lf > p && lf[-1] == '\r') ? lf - 1 : lf;
        if (e == p) {
            p = lf + 1;
            return ParseStatus::Complete;
        }
        if (header_lines >= limits.max_header_lines) return too_many_headers(error, limits);
        ++header_lines;
        Header h;
        if (parse_header_line(p, e, h, error) == ParseStatus::Error) return ParseStatus::Error;
        out.headers.push_back(h);
        if (note_header(d, h, error) == ParseStatus::Error) return ParseStatus::Error;
        p = lf + 1;
    }
}

// ---------------------------------------------------------------- step 3: the framing decision

// After the framing (its errors say more): RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 (or later) request
// without Host. Python does not check; an HTTP/1.0 request may leave it out.
ParseStatus check_host(const Derived& d, const Request& out, ParseError& error) {
    if (d.host_count == 0 && out.at_least_http11()) return fail(error, 400, "Bad request (no Host header)");
    return ParseStatus::Complete;
}

// Step 3, once all fields are known: the framing decision (RFC 9112 §6.1-6.3) and what the
// Connection and Expect fields ask for.
ParseStatus decide_framing(const Derived& d, Request& out, ParseError& error) {
    if (d.have_te) {
        if (d.have_length) return fail(error, 400, "Bad request (Transfer-Encoding with Content-Length)");
        if (out.version_major < 1 || (out.version_major == 1 && out.version_minor == 0))
            return fail(error, 400, "Bad request (Transfer-Encoding in an HTTP/1.0 request)");
        if (d.chunked_count > 1 || (d.chunked_count == 1 && !d.chunked_last))
            return fail(error, 400, "Bad Transfer-Encoding (chunked must be the last coding, once)");
        if (d.other_coding) return fail(error, 501, "Unsupported Transfer-Encoding");
        if (d.chunked_count == 0) return fail(error, 400, "Bad Transfer-Encoding (empty)");
        out.body = BodyFraming::Chunked;
    } else if (d.have_length) {
        out.body = BodyFraming::ContentLength;
        out.content_length = d.length;
    }
    out.connection = d.close        ? ConnectionToken::Close
                     : d.keep_alive ? ConnectionToken::KeepAlive
                                    : ConnectionToken::None;
    out.expect_continue = d.expect_continue;
    return ParseStatus::Complete;
}

}  // namespace

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!has(c, kToken)) return false;
    return true;
}

const Header* Request::find(std::string_view name) const {
    for (const Header& h : headers) {
        if (iequals_ascii(h.name, name)) return &h;
    }
    return nullptr;
}

void Request::clear() {
    method = {};
    target = {};
    version_major = 1;
    version_minor = 1;
    http09 = false;
    headers.clear();  // keeps the capacity for the next request
    head_length = 0;
    body = BodyFraming::None;
    content_length = 0;
    connection = ConnectionToken::None;
    expect_continue = false;
}

ParseStatus parse_request(std::string_view buffer, const ParseLimits& limits, Request& out, ParseError& error) {
    out.clear();
    const char* const begin = buffer.data();
    const char* const end = begin + buffer.size();
    const char* p = begin;

    const ParseStatus line = parse_request_line(begin, p, end, limits, out, error);
    if (line != ParseStatus::Complete) return line;
    if (out.http09) {
        out.head_length = static_cast<size_t>(p - begin);
        return ParseStatus::Complete;
    }

    Derived derived;
    const ParseStatus fields = parse_header_block(p, end, limits, out, derived, error);
    if (fields != ParseStatus::Complete) return fields;
    out.head_length = static_cast<size_t>(p - begin);
    if (decide_framing(derived, out, error) == ParseStatus::Error) return ParseStatus::Error;
    return check_host(derived, out, error);
}

}  // namespace httpserve::http
