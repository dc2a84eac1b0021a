// Python's CGI dispatch (http/server.py: _url_collapse_path, is_cgi, run_cgi) on UTF-8 strings.
#include "worker/cgi/dispatch.hpp"

#include <algorithm>

#include "common/ascii.hpp"
#include "common/escape.hpp"
#include "common/utf8.hpp"
#include "worker/static/path_map.hpp"

namespace httpserve::cgi {

namespace {

struct Translated {
    std::string relative;  // no leading or trailing '/'
    bool trailing_slash = false;
    bool ok = false;  // false: a NUL survived (os.path calls fail on it)
};

// Pieces of the collapsed path are Python str values held as UTF-8, but percent_decode and map_path
// read raw bytes >= 0x80 as the Latin-1 characters of a request line. Sending those bytes through as
// %XX makes them decode as the UTF-8 they are; UTF-8 being self-synchronising, decoding them together
// with neighbouring %XX runs gives what Python's unquote gives for literal characters next to them.
std::string escape_non_ascii(std::string_view text) {
    std::string escaped;
    append_percent_encoded(escaped, text, [](unsigned char c) { return c >= 0x80; });
    return escaped;
}

// urllib.parse.unquote of such a str.
std::string unquote_str(std::string_view text) { return percent_decode(escape_non_ascii(text)); }

// translate_path of such a str, as Python gives PATH_TRANSLATED (only an environment value: no
// file is looked up with it).
Translated translate_url_path(std::string_view text) {
    // translate_path abandons the query and the fragment first ('?' and '#' decoded from %3F and
    // %23 by the collapse count here).
    text = text.substr(0, text.find('?'));
    text = text.substr(0, text.find('#'));
    Translated t;
    MappedPath mapped = map_path(escape_non_ascii(text), &t.ok);
    t.relative = std::move(mapped.relative);
    t.trailing_slash = mapped.trailing_slash;
    return t;
}

// A piece of the collapsed path, which is decoded once already, as a path below the root: the query
// cut off (the walk's prefixes reach into it), never decoded again, so that the file found is the
// one SCRIPT_NAME names. (Python's translate_path decodes a second time: it ran cgi-bin/script.sh
// for "/cgi-bin/x%252f..%252fscript.sh", whose SCRIPT_NAME says "/cgi-bin/x%2f..%2fscript.sh".)
Translated map_script_path(std::string_view text) {
    text = text.substr(0, text.find('?'));
    Translated t;
    MappedPath mapped = map_decoded_path(text, &t.ok);
    t.relative = std::move(mapped.relative);
    t.trailing_slash = mapped.trailing_slash;
    return t;
}

bool has_control(std::string_view text) { return std::any_of(text.begin(), text.end(), is_ascii_control); }

// `inner` is `outer` itself or below it ("" is the root, which holds everything).
bool is_within(std::string_view inner, std::string_view outer) {
    if (outer.empty() || inner == outer) return true;
    return inner.size() > outer.size() && inner.substr(0, outer.size()) == outer && inner[outer.size()] == '/';
}

}  // namespace

std::optional<std::string> collapse_url_path(std::string_view path) {
    const size_t q = path.find('?');
    const std::string_view query = q == std::string_view::npos ? std::string_view() : path.substr(q + 1);
    const std::string decoded = percent_decode(path.substr(0, q));

    // str.split('/') always gives at least one part; all but the last go through the head rules.
    std::vector<std::string_view> parts;
    std::string_view rest = decoded;
    for (;;) {
        const size_t slash = rest.find('/');
        parts.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    std::vector<std::string_view> head;
    for (size_t k = 0; k + 1 < parts.size(); ++k) {
        const std::string_view part = parts[k];
        if (part == "..") {
            if (head.empty()) return std::nullopt;  // IndexError: pop from empty list
            head.pop_back();
        } else if (!part.empty() && part != ".") {
            head.push_back(part);
        }
    }
    std::string_view tail = parts.back();
    if (tail == "..") {
        if (head.empty()) return std::nullopt;
        head.pop_back();
        tail = {};
    } else if (tail == ".") {
        tail = {};
    }

    std::string out = "/";
    for (size_t k = 0; k < head.size(); ++k) {
        if (k != 0) out.push_back('/');
        out.append(head[k]);
    }
    out.push_back('/');
    out.append(tail);
    if (!query.empty()) {  // Python: `if query:`, so a bare trailing '?' is lost
        out.push_back('?');
        out.append(query);
    }
    return out;
}

std::optional<CgiMatch> match_cgi(std::string_view collapsed, const std::vector<std::string>& directories) {
    size_t sep = collapsed.find('/', 1);
    while (sep != std::string_view::npos) {
        const std::string_view head = collapsed.substr(0, sep);
        if (std::find(directories.begin(), directories.end(), head) != directories.end())
            return CgiMatch{std::string(head), std::string(collapsed.substr(sep + 1))};
        sep = collapsed.find('/', sep + 1);
    }
    return std::nullopt;
}

CgiScript locate_script(const CgiMatch& m, const IsDirectory& is_directory) {
    // Walk into sub-directories: path = dir + '/' + rest, and while path[:i] is a directory on disk
    // it becomes the directory. (The '/' may lie in the query, as in Python: translate_path cuts the
    // query off, so "/cgi-bin/sub?x=/y" asks about "cgi-bin/sub".)
    // Unlike Python the walk is bounded: components like "%252e" translate to the same directory
    // again, so a long target could otherwise cost one stat and one O(n) translation per '/'.
    const std::string path = m.dir + "/" + m.rest;
    size_t dir_length = m.dir.size();
    size_t i = path.find('/', dir_length + 1);
    for (size_t steps = 0; i != std::string::npos && steps < kMaxDirectoryWalk; ++steps) {
        const Translated next = map_script_path(std::string_view(path).substr(0, i));
        if (!next.ok || !is_directory(next.relative)) break;
        dir_length = i;
        i = path.find('/', dir_length + 1);
    }
    const std::string_view dir = std::string_view(path).substr(0, dir_length);
    std::string_view rest = std::string_view(path).substr(dir_length + 1);  // path[dir_length] is '/'

    CgiScript s;
    // rest.partition('?'), then the script is everything up to the first '/'.
    if (const size_t q = rest.find('?'); q != std::string_view::npos) {
        s.query = std::string(rest.substr(q + 1));
        rest = rest.substr(0, q);
    }
    const size_t slash = rest.find('/');
    const std::string_view script = rest.substr(0, slash);
    const std::string_view extra = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);

    s.script_basename = std::string(script);
    s.script_name = std::string(dir) + "/" + std::string(script);

    const Translated file = map_script_path(s.script_name);
    s.script_relative = file.relative;
    if (file.trailing_slash && !s.script_relative.empty()) s.script_relative.push_back('/');
    const Translated cgi_dir = map_script_path(m.dir);
    s.script_allowed = file.ok && cgi_dir.ok && is_within(file.relative, cgi_dir.relative);

    s.path_info = unquote_str(extra);
    const Translated info = translate_url_path(s.path_info);
    s.path_translated_relative = info.relative;
    s.path_translated_trailing_slash = info.trailing_slash;
    return s;
}

std::vector<std::string> cgi_argv(const CgiScript& script) {
    std::vector<std::string> argv{script.script_basename};
    std::string decoded = script.query;
    std::replace(decoded.begin(), decoded.end(), '+', ' ');
    if (decoded.find('=') == std::string::npos) argv.push_back(std::move(decoded));
    return argv;
}

CgiDispatch dispatch_cgi(std::string_view target, const std::vector<std::string>& directories,
                         const IsDirectory& is_directory) {
    CgiDispatch d;
    const std::string fixed = collapse_leading_slashes(target);
    const TargetParts parts = split_target(fixed);
    std::string path(parts.path);
    if (parts.has_query) {
        path.push_back('?');
        path.append(parts.query);
    }
    const std::optional<std::string> collapsed = collapse_url_path(path);
    if (!collapsed) {
        d.kind = CgiDispatchKind::BadRequest;
        return d;
    }
    const std::optional<CgiMatch> match = match_cgi(*collapsed, directories);
    if (!match) return d;
    d.script = locate_script(*match, is_directory);
    // A control character (a decoded %0A, say) could forge a log line or a header; NUL cannot even
    // reach an environment.
    const bool controls = has_control(d.script.script_name) || has_control(d.script.path_info);
    d.kind = controls ? CgiDispatchKind::BadRequest : CgiDispatchKind::Script;
    return d;
}

CgiRefusal refusal_not_found(std::string_view script_name) {
    return {404, "No such CGI script (" + python_repr_utf8(script_name) + ")"};
}

CgiRefusal refusal_not_plain_file(std::string_view script_name) {
    return {403, "CGI script is not a plain file (" + python_repr_utf8(script_name) + ")"};
}

CgiRefusal refusal_not_executable(std::string_view script_name) {
    return {403, "CGI script is not executable (" + python_repr_utf8(script_name) + ")"};
}

std::optional<CgiRefusal> check_script(const CgiScript& script, const ScriptFileFacts& facts) {
    if (!script.script_allowed || !facts.exists) return refusal_not_found(script.script_name);
    if (!facts.regular_file) return refusal_not_plain_file(script.script_name);
    // Python checks X_OK only `if have_fork or not is_python(...)`: always true on POSIX.
    if (!facts.executable) return refusal_not_executable(script.script_name);
    return std::nullopt;
}

std::string python_repr_utf8(std::string_view utf8) {
    const char quote = python_repr_quote(utf8);
    std::string out;
    out.reserve(utf8.size() + 8);
    out.push_back(quote);
    for (size_t i = 0; i < utf8.size();) {
        const size_t start = i;
        const long cp = next_utf8_code_point(utf8, i);
        if (cp < 0) {
            append_backslash_x(out, static_cast<unsigned char>(utf8[start]));
        } else if (cp > 0xFFFF) {
            out += "\\U";
            append_hex(out, static_cast<unsigned long>(cp), 8);
        } else if (cp > 0xFF) {
            out += "\\u";
            append_hex(out, static_cast<unsigned long>(cp), 4);
        } else {
            append_python_repr_latin1(out, static_cast<unsigned char>(cp), quote);  // as http::python_repr
        }
    }
    out.push_back(quote);
    return out;
}

}  // namespace httpserve::cgi
