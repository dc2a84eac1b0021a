// CGI response head parser (RFC 3875 §6.2/6.3): a pure function over the bytes the script wrote.
#include "worker/cgi/response_head.hpp"

#include <algorithm>
#include <array>

#include "common/ascii.hpp"
#include "worker/http/error_page.hpp"
#include "worker/http/request_parser.hpp"
#include "worker/http/status.hpp"

namespace httpserve::cgi {

using namespace std::string_view_literals;

namespace {

// For error messages: the start of the offending line, quoted.
std::string quoted(std::string_view line) { return http::python_repr(line.substr(0, 80)); }

CgiHeadStatus fail(CgiHead& out, std::string reason) {
    out.error = std::move(reason);
    return CgiHeadStatus::Error;
}

bool dropped_field(std::string_view name) {
    static constexpr std::array<std::string_view, 9> dropped = {"connection"sv, "keep-alive"sv, "proxy-connection"sv,
                                                                "te"sv,         "trailer"sv,    "transfer-encoding"sv,
                                                                "upgrade"sv,    "date"sv,       "server"sv};
    return std::any_of(dropped.begin(), dropped.end(), [&](std::string_view d) { return iequals_ascii(name, d); });
}

// 1*DIGIT that fits in uint64_t.
std::optional<uint64_t> parse_digits(std::string_view s) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const uint64_t d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

// "NNN" or "NNN reason" (RFC 3875 §6.3.3 requires the reason; scripts often omit it).
bool parse_status(std::string_view value, CgiHead& out) {
    if (value.size() < 3) return false;
    for (size_t i = 0; i < 3; ++i)
        if (value[i] < '0' || value[i] > '9') return false;
    if (value.size() > 3 && !is_ows(value[3])) return false;
    const int code = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
    if (code < 200 || code > 599) return false;
    out.status = code;
    out.reason = std::string(trim_ows(value.substr(3)));
    if (out.reason.empty()) out.reason = std::string(http::reason_phrase(code));
    out.status_given = true;
    return true;
}

// One "name: value" line (without its line end).
CgiHeadStatus parse_field(std::string_view line, CgiHead& out) {
    if (is_ows(line.front())) return fail(out, "CGI header continuation line (obsolete folding): " + quoted(line));
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return fail(out, "CGI header line without a colon: " + quoted(line));
    const std::string_view name = line.substr(0, colon);
    if (!http::is_token(name)) return fail(out, "CGI header with an invalid name: " + quoted(line));
    const std::string_view value = trim_ows(line.substr(colon + 1));
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return fail(out, "CGI header value with a control character: " + quoted(line));
    }

    if (iequals_ascii(name, "status")) {
        if (out.status_given) return fail(out, "CGI header Status given twice");
        if (!parse_status(value, out)) return fail(out, "CGI header Status is invalid: " + quoted(value));
    } else if (iequals_ascii(name, "content-type")) {
        if (!out.content_type.empty()) return fail(out, "CGI header Content-Type given twice");
        if (value.empty()) return fail(out, "CGI header Content-Type is empty");
        out.content_type = std::string(value);
    } else if (iequals_ascii(name, "location")) {
        if (!out.location.empty()) return fail(out, "CGI header Location given twice");
        if (value.empty()) return fail(out, "CGI header Location is empty");
        out.location = std::string(value);
    } else if (iequals_ascii(name, "content-length")) {
        if (const std::optional<uint64_t> length = parse_digits(value)) {
            if (out.content_length && *out.content_length != *length)
                return fail(out, "CGI header Content-Length given twice with different values");
            out.content_length = length;
        }
    } else if (!dropped_field(name)) {
        out.fields.push_back(CgiField{std::string(name), std::string(value)});
    }
    return CgiHeadStatus::Complete;
}

// The kind of response, once the head is complete (RFC 3875 §6.2).
CgiHeadStatus decide_kind(CgiHead& out) {
    if (!out.location.empty()) {
        const bool local_path = out.location[0] == '/' && (out.location.size() == 1 || out.location[1] != '/');
        if (local_path && !out.status_given) {
            out.kind = CgiResponseKind::LocalRedirect;
            out.body_from_script = false;
            return CgiHeadStatus::Complete;
        }
        out.kind = CgiResponseKind::ClientRedirect;
        if (!out.status_given) {
            out.status = 302;
            out.reason = "Found";
        }
        out.body_from_script = !out.content_type.empty();
    } else if (!out.content_type.empty() || (out.status_given && (out.status == 204 || out.status == 304))) {
        out.kind = CgiResponseKind::Document;
        out.body_from_script = true;
        if (!out.status_given) out.reason = std::string(http::reason_phrase(out.status));
    } else {
        return fail(out, "CGI response has neither Content-Type nor Location");
    }
    if (out.status == 204 || out.status == 304) out.body_from_script = false;  // no body allowed
    return CgiHeadStatus::Complete;
}

}  // namespace

void CgiHead::clear() { *this = CgiHead{}; }

CgiHeadStatus parse_cgi_head(std::string_view buffered, size_t max_head, CgiHead& out) {
    out.clear();
    // Only the first max_head bytes can hold the head (including its empty line).
    const std::string_view view = buffered.substr(0, std::min(buffered.size(), max_head));
    size_t pos = 0;
    for (;;) {
        const size_t lf = view.find('\n', pos);
        if (lf == std::string_view::npos) {
            if (buffered.size() >= max_head)
                return fail(out, "CGI response head larger than " + std::to_string(max_head) + " bytes");
            return CgiHeadStatus::Incomplete;
        }
        std::string_view line = view.substr(pos, lf - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = lf + 1;
        if (line.empty()) {
            out.body_offset = pos;
            return decide_kind(out);
        }
        if (line.find('\r') != std::string_view::npos)
            return fail(out, "CGI header line with a bare CR: " + quoted(line));
        if (parse_field(line, out) == CgiHeadStatus::Error) return CgiHeadStatus::Error;
    }
}

std::string render_cgi_response_headers(const CgiHead& head) {
    if (head.kind == CgiResponseKind::LocalRedirect) return {};
    std::string out;
    auto line = [&](std::string_view name, std::string_view value) {
        out.append(name);
        out.append(": ");
        out.append(value);
        out.append("\r\n");
    };
    if (!head.content_type.empty()) line("Content-Type", head.content_type);
    if (!head.location.empty()) line("Location", head.location);
    for (const CgiField& f : head.fields) line(f.name, f.value);
    return out;
}

}  // namespace httpserve::cgi
