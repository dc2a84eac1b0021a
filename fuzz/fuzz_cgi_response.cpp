// libFuzzer target: arbitrary bytes as a CGI script's output (parse_cgi_head and its rendering) and as
// a request target (collapse_url_path, match_cgi, dispatch_cgi, the environment).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "worker/cgi/dispatch.hpp"
#include "worker/cgi/environment.hpp"
#include "worker/cgi/response_head.hpp"
#include "worker/http/request_parser.hpp"
#include "worker/static/path_map.hpp"

using namespace httpserve;
using namespace httpserve::cgi;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Every rendered line is "token: value\r\n" with no CR, LF or NUL inside.
void check_rendered(std::string_view rendered) {
    while (!rendered.empty()) {
        const size_t end = rendered.find("\r\n");
        check(end != std::string_view::npos);
        const std::string_view line = rendered.substr(0, end);
        check(line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos);
        check(line.find('\0') == std::string_view::npos);
        const size_t colon = line.find(": ");
        check(colon != std::string_view::npos && http::is_token(line.substr(0, colon)));
        rendered.remove_prefix(end + 2);
    }
}

void fuzz_head(std::string_view input, size_t max_head) {
    CgiHead head;
    const CgiHeadStatus st = parse_cgi_head(input, max_head, head);
    if (st == CgiHeadStatus::Incomplete) {
        check(input.size() < max_head);
        return;
    }
    if (st == CgiHeadStatus::Error) {
        check(!head.error.empty());
        return;
    }
    check(head.body_offset > 0 && head.body_offset <= input.size() && head.body_offset <= max_head);
    check(input[head.body_offset - 1] == '\n');
    check(head.status >= 200 && head.status <= 599);
    check(head.kind == CgiResponseKind::LocalRedirect || !head.content_type.empty() || !head.location.empty() ||
          head.status == 204 || head.status == 304);
    const std::string rendered = render_cgi_response_headers(head);
    check_rendered(rendered);

    // Only the head decides: a prefix without its last byte is still incomplete, the head alone complete.
    CgiHead again;
    check(parse_cgi_head(input.substr(0, head.body_offset - 1), max_head, again) == CgiHeadStatus::Incomplete);
    check(parse_cgi_head(input.substr(0, head.body_offset), max_head, again) == CgiHeadStatus::Complete);
    check(again.body_offset == head.body_offset);

    // Round trip: what we send parses back to the same response.
    std::string resent = rendered;
    if (head.kind == CgiResponseKind::LocalRedirect) resent = "Location: " + head.location + "\r\n";
    if (head.status_given) resent += "Status: " + std::to_string(head.status) + " " + head.reason + "\r\n";
    resent += "\r\n";
    CgiHead round;
    check(parse_cgi_head(resent, resent.size() + 1, round) == CgiHeadStatus::Complete);
    check(round.kind == head.kind && round.location == head.location);
    if (head.kind == CgiResponseKind::LocalRedirect) return;  // its other fields are ignored
    check(round.status == head.status && round.reason == head.reason && round.content_type == head.content_type &&
          round.fields.size() == head.fields.size() && round.body_from_script == head.body_from_script);
}

void fuzz_target(std::string_view input) {
    const std::vector<std::string> dirs{"/cgi-bin", "/htbin"};
    if (const auto collapsed = collapse_url_path(input)) {
        check(!collapsed->empty() && (*collapsed)[0] == '/');
        if (const auto m = match_cgi(*collapsed, dirs)) check(*collapsed == m->dir + "/" + m->rest);
    }

    // A fake tree: the CGI directories, and any component starting with 'd' is a directory.
    const IsDirectory is_directory = [](std::string_view rel) {
        check(rel.find('\0') == std::string_view::npos);
        if (rel.empty() || rel == "cgi-bin" || rel == "htbin") return true;
        const size_t slash = rel.rfind('/');
        const std::string_view last = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
        return !last.empty() && last[0] == 'd';
    };
    const CgiDispatch d = dispatch_cgi(input, dirs, is_directory);
    if (d.kind == CgiDispatchKind::NotCgi) {
        // Whatever the static handler would serve instead is never inside a CGI directory, nor its
        // listing: CGI scripts' sources stay hidden.
        const std::string fixed = collapse_leading_slashes(input);
        bool ok = false;
        const MappedPath mapped = map_path(split_target(fixed).path, &ok);
        if (ok) {
            for (std::string_view dir : {"cgi-bin", "htbin"}) {
                check(!starts_with(mapped.relative, std::string(dir) + "/"));
                check(!(mapped.relative == dir && mapped.trailing_slash));
            }
        }
        return;
    }
    if (d.kind == CgiDispatchKind::BadRequest) return;

    const CgiScript& s = d.script;
    check(starts_with(s.script_name, "/cgi-bin/") || starts_with(s.script_name, "/htbin/"));
    check(s.path_info.find('\0') == std::string::npos);
    if (s.script_allowed) {
        check(s.script_relative.find('\0') == std::string::npos);
        const std::string_view dir = starts_with(s.script_name, "/cgi-bin/") ? "cgi-bin" : "htbin";
        check(starts_with(s.script_relative, dir));
        check(s.script_relative.size() == dir.size() || s.script_relative[dir.size()] == '/');
    }
    const std::vector<std::string> argv = cgi_argv(s);
    check(!argv.empty() && argv[0] == s.script_basename);
    for (const auto& facts : {ScriptFileFacts{false, false, false}, ScriptFileFacts{true, false, false},
                              ScriptFileFacts{true, true, false}}) {
        const auto refusal = check_script(s, facts);
        check(refusal && (refusal->status == 404 || refusal->status == 403));
        // The message goes into a status line.
        check(refusal->message.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
    }

    // The environment for a request carrying the input as a header value and a header name.
    http::Request req;
    req.method = "GET";
    req.headers.push_back({"X-Input", input});
    req.headers.push_back({input.substr(0, 16), "v"});
    req.headers.push_back({"Authorization", input});
    req.headers.push_back({"Cookie", input});
    const CgiEnvironmentInput in{req, s, "/srv", "::1", "httpserve/0", "localhost", 80, "HTTP/1.1", std::nullopt};
    for (const std::string& entry : build_cgi_environment(in)) {
        check(entry.find('\0') == std::string::npos);
        const size_t eq = entry.find('=');
        check(eq != std::string::npos && eq > 0);
        for (char c : std::string_view(entry).substr(0, eq))
            check((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
        check(entry.rfind("HTTP_PROXY=", 0) != 0);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    fuzz_head(input, 64 * 1024);
    // A small limit derived from the input exercises the max_head boundary.
    if (size > 0) fuzz_head(input.substr(1), static_cast<size_t>(data[0]));
    fuzz_target(input);
    return 0;
}
