// Is a request target a CGI script, and which one: Python's CGIHTTPRequestHandler rules
// (_url_collapse_path, is_cgi, run_cgi's script location and checks), as pure functions.
//
// Strings are Python's str written as UTF-8: the collapsed path is %-decoded once (raw bytes >= 0x80
// are Latin-1 characters, as Python decodes the request line), while the query stays as sent.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace httpserve::cgi {

// Python's _url_collapse_path: split off the query at the first '?', unquote the path (errors=
// 'replace'), resolve "." and ".." and drop empty parts, put "?query" back on the tail (only when
// non-empty). nullopt where Python raises IndexError (a ".." above the root).
// The result starts with '/' and is "/" + head + "/" + tail, so "/a" gives "//a".
std::optional<std::string> collapse_url_path(std::string_view path);

struct CgiMatch {
    std::string dir;   // the configured CGI directory that matched, e.g. "/cgi-bin"
    std::string rest;  // what follows "dir/" in the collapsed path (script, extra path, "?query")
};

// Python's is_cgi: the first '/' position (after index 0) where collapsed[:pos] is one of
// `directories` (case-sensitive, exact). "/cgi-bin/" matches with an empty rest; "//cgi-bin" does not.
std::optional<CgiMatch> match_cgi(std::string_view collapsed, const std::vector<std::string>& directories);

struct CgiScript {
    std::string script_name;                      // SCRIPT_NAME: dir + "/" + script (collapsed, decoded once)
    std::string script_relative;                  // script_name relative to the root, not decoded again (unlike
                                                  // Python's translate_path), no leading '/'; ends with '/' when the
                                                  // name did (then a file is "missing", as os.path.exists("file/") is
                                                  // false); "" or "x/" may be a directory
    bool script_allowed = true;                   // false: it maps outside the matched CGI directory (see below)
                                                  // -> 404 without touching the file system
    std::string path_info;                        // PATH_INFO: unquote(extra path), "" if none (decoded twice in all)
    std::string path_translated_relative;         // translate_path(path_info) relative to the root, no slashes
    bool path_translated_trailing_slash = false;  // PATH_TRANSLATED gets a trailing '/'
    std::string query;            // QUERY_STRING: after the first '?' of the rest, as sent (not decoded)
    std::string script_basename;  // argv[0]: the script's last path component
};

// How many sub-directory levels below a CGI directory locate_script follows (Python: unbounded).
inline constexpr size_t kMaxDirectoryWalk = 32;

// Answers "is root/<relative> a directory" (following symlinks, like os.path.isdir); "" is the root.
// Deliberately given the translated relative path, not the URL: the caller only has to stat.
using IsDirectory = std::function<bool(std::string_view relative)>;

// Python's run_cgi splitting. Sub-directories of the CGI directory are walked while the next
// component names a directory on disk (`is_directory`, asked at most kMaxDirectoryWalk times);
// then the query is split off, the first
// component is the script, the remainder the extra path.
// Better than Python: the script name is decoded once, by the collapse, and the file is the one it
// names. Python's translate_path decodes it again, so "/cgi-bin/%252e%252e/a.txt" ran <root>/a.txt
// and "%252f" hid a path in a name; here they name files called "%2e%2e" and "x%2f..." in cgi-bin.
// A script whose file would still lie outside the matched CGI directory gets script_allowed = false.
CgiScript locate_script(const CgiMatch& m, const IsDirectory& is_directory);

// argv: [script_basename], plus the query with '+' -> ' ' when it has no '=' (no %-decoding). With
// no query at all the extra argument is "" (Python passes it too).
std::vector<std::string> cgi_argv(const CgiScript& script);

// ---- The whole decision -------------------------------------------------------------------------

enum class CgiDispatchKind {
    NotCgi,      // serve statically (a POST gets 501 kPostNotCgiMessage)
    Script,      // `script` is set: run the checks below, then the script
    BadRequest,  // Python raises IndexError and drops the connection; we answer 400
};

struct CgiDispatch {
    CgiDispatchKind kind = CgiDispatchKind::NotCgi;
    CgiScript script;  // valid when kind == Script
};

// Request target (as sent, or after the "//" fix: it is applied here too) -> the decision.
// Differences from Python, both to agree with the static handler (split_target/map_path), so that a
// path the static side would map into a CGI directory is always CGI and its source never served:
//  - an absolute-form target ("http://host/cgi-bin/x") is reduced to its path first (Python's
//    is_cgi sees "/http:/host/..." and never matches);
//  - a "#fragment" is dropped first (Python keeps it in the path: "/cgi-bin/env.py#/../../a" is not
//    CGI there, while its static handler cuts at '#' and serves cgi-bin/env.py as a file).
// A script name or PATH_INFO holding a control character once decoded (below 0x20, or DEL) is
// BadRequest: it could forge a log line, and a NUL cannot reach an environment at all (Python's
// execve fails on it; it runs the script for the others).
CgiDispatch dispatch_cgi(std::string_view target, const std::vector<std::string>& directories,
                         const IsDirectory& is_directory);

// ---- Checks before running, Python's order and messages ------------------------------------------

// What the caller found at root/script_relative (stat and access(X_OK), following symlinks).
struct ScriptFileFacts {
    bool exists = false;
    bool regular_file = false;
    bool executable = false;
};

struct CgiRefusal {
    int status = 0;       // 404 or 403
    std::string message;  // status-line reason, Latin-1 as http::render_error_page expects
};

// nullopt: run it. Otherwise, in Python's order:
//   404 "No such CGI script ('<script_name>')"        (also when !script_allowed)
//   403 "CGI script is not a plain file ('<script_name>')"
//   403 "CGI script is not executable ('<script_name>')"
CgiRefusal refusal_not_found(std::string_view script_name);
CgiRefusal refusal_not_plain_file(std::string_view script_name);
CgiRefusal refusal_not_executable(std::string_view script_name);
std::optional<CgiRefusal> check_script(const CgiScript& script, const ScriptFileFacts& facts);

// Python's repr() of a str held as UTF-8, made fit for a Latin-1 status line: like Python for
// characters up to U+00FF (http::python_repr rules); above that Python keeps printable characters
// and then fails to encode the status line (the connection drops), so they are escaped instead
// (\uXXXX, \UXXXXXXXX; a byte that is not UTF-8 becomes \xNN).
std::string python_repr_utf8(std::string_view utf8);

// do_POST's answer for a target that is not CGI (501).
inline constexpr std::string_view kPostNotCgiMessage = "Can only POST to CGI scripts";

}  // namespace httpserve::cgi
