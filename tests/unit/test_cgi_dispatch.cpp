// CGI dispatch: Python's _url_collapse_path vectors, is_cgi, run_cgi's script location, argv, the
// checks' messages. Expected values come from CPython 3.11.7 (http/server.py) run on the same tree.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "worker/cgi/dispatch.hpp"

using namespace httpserve::cgi;
using namespace std::string_literals;

namespace {

const std::vector<std::string> kDirs{"/cgi-bin", "/htbin"};

// The fake served directory: these relative paths are directories, nothing else is.
struct FakeTree {
    std::set<std::string, std::less<>> dirs{
        "", "cgi-bin", "cgi-bin/child-dir", "cgi-bin/child-dir/deeper", "cgi-bin/sub dir", "htbin", "x"};
    mutable std::vector<std::string> asked;
    IsDirectory callback() const {
        return [this](std::string_view rel) {
            asked.emplace_back(rel);
            return dirs.count(rel) != 0;
        };
    }
};

CgiDispatch run(std::string_view target, const FakeTree& tree = FakeTree{}) {
    return dispatch_cgi(target, kDirs, tree.callback());
}

// Dispatches `target`, requires a script and returns it.
CgiScript script_of(std::string_view target) {
    const CgiDispatch d = run(target);
    INFO("target: " << std::string(target));
    REQUIRE(d.kind == CgiDispatchKind::Script);
    return d.script;
}

std::string collapse(std::string_view p) {
    const auto r = collapse_url_path(p);
    return r ? *r : "IndexError"s;
}

}  // namespace

// ================================================================ _url_collapse_path

TEST_CASE("collapse_url_path: CPython's test vectors", "[cgi]") {
    struct Vector {
        std::string_view in, out;
    };
    const Vector vectors[] = {
        {"", "//"},
        {"..", "IndexError"},
        {"/.//..", "IndexError"},
        {"/", "//"},
        {"//", "//"},
        {"/\\", "//\\"},
        {"/.//", "//"},
        {"cgi-bin/file1.py", "/cgi-bin/file1.py"},
        {"/cgi-bin/file1.py", "/cgi-bin/file1.py"},
        {"a", "//a"},
        {"/a", "//a"},
        {"//a", "//a"},
        {"./a", "//a"},
        {"./C:/", "/C:/"},
        {"/a/b", "/a/b"},
        {"/a/b/", "/a/b/"},
        {"/a/b/.", "/a/b/"},
        {"/a/b/c/..", "/a/b/"},
        {"/a/b/c/../d", "/a/b/d"},
        {"/a/b/c/../d/e/../f", "/a/b/d/f"},
        {"/a/b/c/../d/e/../../f", "/a/b/f"},
        {"/a/b/c/../d/e/.././././..//f", "/a/b/f"},
        {"../a/b/c/../d/e/.././././..//f", "IndexError"},
        {"/a/b/c/../d/e/../../../f", "/a/f"},
        {"/a/b/c/../d/e/../../../../f", "//f"},
        {"/a/b/c/../d/e/../../../../../f", "IndexError"},
        {"/a/b/c/../d/e/../../../../f/..", "//"},
        {"/a/b/c/../d/e/../../../../f/../.", "//"},
    };
    for (const Vector& v : vectors) {
        INFO("path: " << std::string(v.in));
        CHECK(collapse(v.in) == v.out);
    }
}

TEST_CASE("collapse_url_path: query, decoding and fragments as Python", "[cgi]") {
    CHECK(collapse("/a?") == "//a");                 // `if query:` drops an empty one
    CHECK(collapse("/a/..?q/../x") == "//?q/../x");  // the query is never collapsed
    CHECK(collapse("/a/.?q") == "/a/?q");
    CHECK(collapse("/a/..?q") == "//?q");
    CHECK(collapse("/%2e%2e") == "IndexError");  // decoded before collapsing
    CHECK(collapse("/a/%2e%2e") == "//");
    CHECK(collapse("/a/%3f/b?c") == "/a/?/b?c");  // a decoded '?' is part of the path here
    CHECK(collapse("/a/b?x#y") == "/a/b?x#y");    // '#' is not special to it
    CHECK(collapse("/a#b/../c") == "//c");
    CHECK(collapse("/%C3%A9/\xE9") == "/\xC3\xA9/\xC3\xA9");  // UTF-8 %XX, raw Latin-1 byte
    CHECK(collapse("/%ff") == "//\xEF\xBF\xBD");              // errors='replace'
    CHECK(collapse("/a?%41") == "//a?%41");                   // the query stays encoded
}

// ================================================================ is_cgi

TEST_CASE("match_cgi: Python's is_cgi", "[cgi]") {
    auto m = match_cgi("/cgi-bin/env.py", kDirs);
    REQUIRE(m);
    CHECK(m->dir == "/cgi-bin");
    CHECK(m->rest == "env.py");

    m = match_cgi("/cgi-bin/", kDirs);
    REQUIRE(m);
    CHECK(m->rest.empty());

    m = match_cgi("/htbin/a/b?q=/c", kDirs);
    REQUIRE(m);
    CHECK(m->dir == "/htbin");
    CHECK(m->rest == "a/b?q=/c");

    CHECK_FALSE(match_cgi("//cgi-bin", kDirs));
    CHECK_FALSE(match_cgi("/CGI-BIN/env.py", kDirs));
    CHECK_FALSE(match_cgi("/a/cgi-bin/env.py", kDirs));
    CHECK_FALSE(match_cgi("/cgi-bin2/env.py", kDirs));
    CHECK_FALSE(match_cgi("//", kDirs));
    CHECK_FALSE(match_cgi("/", kDirs));

    // A nested configured directory matches at the first (shortest) prefix that is configured.
    m = match_cgi("/a/b/c", {"/a/b", "/a"});
    REQUIRE(m);
    CHECK(m->dir == "/a");
    CHECK(m->rest == "b/c");
    m = match_cgi("/a/b/c", {"/a/b"});
    REQUIRE(m);
    CHECK(m->dir == "/a/b");
}

// ================================================================ the spec's observed dispatch table

TEST_CASE("dispatch_cgi: the observed dispatch table", "[cgi]") {
    CHECK(run("/cgi-bin").kind == CgiDispatchKind::NotCgi);  // static: 301 to /cgi-bin/
    CHECK(run("/htbin").kind == CgiDispatchKind::NotCgi);
    CHECK(run("/CGI-BIN/env.py").kind == CgiDispatchKind::NotCgi);
    CHECK(run("/cgi-bin/../a.txt").kind == CgiDispatchKind::NotCgi);
    CHECK(run("/a/b/cgi-bin/x").kind == CgiDispatchKind::NotCgi);
    CHECK(run("/cgi-bin/env.py/..%2f..%2fetc").kind == CgiDispatchKind::NotCgi);

    // A CGI directory itself is CGI with an empty script: 403, never a listing.
    for (std::string_view t : {"/cgi-bin/", "/cgi-bin/x/..", "/cgi-bin/env.py/.."}) {
        const CgiScript s = script_of(t);
        CHECK(s.script_name == "/cgi-bin/");
        CHECK(s.script_relative == "cgi-bin/");
        CHECK(s.script_allowed);
        CHECK(s.script_basename.empty());
        CHECK(refusal_not_plain_file(s.script_name).message == "CGI script is not a plain file ('/cgi-bin/')");
    }
    CHECK(script_of("/htbin/").script_name == "/htbin/");

    for (std::string_view t : {"/cgi-bin%2fenv.py", "/x/../cgi-bin/env.py", "/cgi-bin/./env.py", "/cgi-bin//env.py",
                               "//cgi-bin/env.py", "/cgi-bin/env.py?"}) {
        const CgiScript s = script_of(t);
        CHECK(s.script_name == "/cgi-bin/env.py");
        CHECK(s.script_relative == "cgi-bin/env.py");
        CHECK(s.script_basename == "env.py");
        CHECK(s.path_info.empty());
        CHECK(s.query.empty());
    }

    const CgiScript missing = script_of("///////////nocgi.py/../cgi-bin/nothere.sh");
    CHECK(missing.script_name == "/cgi-bin/nothere.sh");
    CHECK(refusal_not_found(missing.script_name).status == 404);
    CHECK(refusal_not_found(missing.script_name).message == "No such CGI script ('/cgi-bin/nothere.sh')");
}

TEST_CASE("dispatch_cgi: SCRIPT_NAME, PATH_INFO and QUERY_STRING of the spec's example", "[cgi]") {
    const CgiScript s = script_of("/cgi-bin/env.py/extra/p%20ath?q=a+b&c=%20d");
    CHECK(s.script_name == "/cgi-bin/env.py");
    CHECK(s.script_relative == "cgi-bin/env.py");
    CHECK(s.path_info == "/extra/p ath");
    CHECK(s.path_translated_relative == "extra/p ath");
    CHECK_FALSE(s.path_translated_trailing_slash);
    CHECK(s.query == "q=a+b&c=%20d");
    CHECK(s.script_basename == "env.py");
}

TEST_CASE("dispatch_cgi: a '..' above the root is a bad request (Python drops the connection)", "[cgi]") {
    CHECK(run("/../cgi-bin/env.py").kind == CgiDispatchKind::BadRequest);
    CHECK(run("/..").kind == CgiDispatchKind::BadRequest);
    CHECK(run("/%2e%2e/a.txt").kind == CgiDispatchKind::BadRequest);
    CHECK(run("/a/../../b").kind == CgiDispatchKind::BadRequest);
    // A NUL in PATH_INFO could not be passed in the environment.
    CHECK(run("/cgi-bin/env.py/a%2500b").kind == CgiDispatchKind::BadRequest);
    CHECK(run("/cgi-bin/env.py/a%00b").kind == CgiDispatchKind::BadRequest);
}

TEST_CASE("dispatch_cgi: scripts in sub-directories of a CGI directory", "[cgi]") {
    CgiScript s = script_of("/cgi-bin/child-dir/file3.py");
    CHECK(s.script_name == "/cgi-bin/child-dir/file3.py");
    CHECK(s.script_relative == "cgi-bin/child-dir/file3.py");
    CHECK(s.script_basename == "file3.py");
    CHECK(s.script_allowed);

    s = script_of("/cgi-bin/child-dir/deeper/s.sh/i/j?k");
    CHECK(s.script_name == "/cgi-bin/child-dir/deeper/s.sh");
    CHECK(s.path_info == "/i/j");
    CHECK(s.path_translated_relative == "i/j");
    CHECK(s.query == "k");
    CHECK(s.script_basename == "s.sh");

    s = script_of("/cgi-bin/child-dir/");
    CHECK(s.script_name == "/cgi-bin/child-dir/");
    CHECK(s.script_relative == "cgi-bin/child-dir/");

    s = script_of("/cgi-bin/child-dir");  // the directory as the script: 403 not a plain file
    CHECK(s.script_name == "/cgi-bin/child-dir");
    CHECK(s.script_relative == "cgi-bin/child-dir");

    s = script_of("/cgi-bin/sub%20dir/s.sh");
    CHECK(s.script_name == "/cgi-bin/sub dir/s.sh");
    CHECK(s.script_relative == "cgi-bin/sub dir/s.sh");

    // Decoded once: "%2520" names "sub%20dir", which is no directory (Python's translate_path
    // decodes again and runs "sub dir/s.sh" under the SCRIPT_NAME "/cgi-bin/sub%20dir/s.sh").
    s = script_of("/cgi-bin/sub%2520dir/s.sh");
    CHECK(s.script_name == "/cgi-bin/sub%20dir");
    CHECK(s.script_relative == "cgi-bin/sub%20dir");
    CHECK(s.path_info == "/s.sh");

    // The walk asks exactly Python's questions.
    FakeTree tree;
    const CgiDispatch d = run("/cgi-bin/child-dir/deeper/s.sh/i/j?k", tree);
    REQUIRE(d.kind == CgiDispatchKind::Script);
    CHECK(tree.asked ==
          std::vector<std::string>{"cgi-bin/child-dir", "cgi-bin/child-dir/deeper", "cgi-bin/child-dir/deeper/s.sh"});
}

TEST_CASE("dispatch_cgi: the sub-directory walk is bounded", "[cgi]") {
    // A deep target of folders: Python would stat once per component, with an O(n) translation each.
    std::string target = "/cgi-bin/";
    for (int k = 0; k < 1000; ++k) target += "d/";
    target += "env.py";
    std::vector<std::string> asked;
    CgiDispatch d = dispatch_cgi(target, kDirs, [&asked](std::string_view rel) {
        asked.emplace_back(rel);
        return true;  // every prefix is a folder
    });
    REQUIRE(d.kind == CgiDispatchKind::Script);
    CHECK(asked.size() == kMaxDirectoryWalk);
    CHECK(d.script.script_basename == "d");
    std::string expected = "cgi-bin";  // the walk's folders, then the script "d"
    for (size_t k = 0; k <= kMaxDirectoryWalk; ++k) expected += "/d";
    CHECK(d.script.script_relative == expected);

    // Real nesting up to the bound is followed.
    FakeTree nested;
    std::string dir = "cgi-bin";
    target = "/cgi-bin";
    for (size_t k = 0; k + 1 < kMaxDirectoryWalk; ++k) {
        dir += "/d";
        target += "/d";
        nested.dirs.insert(dir);
    }
    target += "/s.sh/info";
    d = run(target, nested);
    REQUIRE(d.kind == CgiDispatchKind::Script);
    CHECK(d.script.script_relative == dir + "/s.sh");
    CHECK(d.script.path_info == "/info");
}

TEST_CASE("dispatch_cgi: Python's quirks of the query split", "[cgi]") {
    // The query is split off the rest at its first '?', wherever it came from.
    CgiScript s = script_of("/cgi-bin/env.py?a=b?c=d");
    CHECK(s.query == "a=b?c=d");
    s = script_of("/cgi-bin/env.py?k=aa%2F%2Fbb&//q//p//=//a//b//");
    CHECK(s.script_name == "/cgi-bin/env.py");
    CHECK(s.query == "k=aa%2F%2Fbb&//q//p//=//a//b//");
    s = script_of("/cgi-bin/a%3Fb?c");  // a %3F in the path becomes the query's start
    CHECK(s.script_name == "/cgi-bin/a");
    CHECK(s.query == "b?c");
    s = script_of("/cgi-bin/?q");
    CHECK(s.script_name == "/cgi-bin/");
    CHECK(s.query == "q");
    // The sub-directory walk looks at '/' inside the query too; translate_path cuts the query off.
    s = script_of("/cgi-bin/sub?x=/y");
    CHECK(s.script_name == "/cgi-bin/sub");
    CHECK(s.query == "x=/y");
    s = script_of("/cgi-bin/child-dir?x=/y");
    CHECK(s.script_name == "/cgi-bin/child-dir?x=/y");
    CHECK(s.script_relative == "cgi-bin/child-dir");
    CHECK(s.script_basename == "y");
    CHECK(s.query.empty());
}

TEST_CASE("dispatch_cgi: PATH_INFO is decoded twice, PATH_TRANSLATED three times", "[cgi]") {
    CgiScript s = script_of("/cgi-bin/env.py/");
    CHECK(s.path_info == "/");
    CHECK(s.path_translated_relative.empty());
    CHECK(s.path_translated_trailing_slash);

    s = script_of("/cgi-bin/x/.");
    CHECK(s.script_name == "/cgi-bin/x");
    CHECK(s.path_info == "/");

    s = script_of("/cgi-bin/env.py/%2541");
    CHECK(s.path_info == "/A");
    CHECK(s.path_translated_relative == "A");

    s = script_of("/cgi-bin/env.py/a/../b");
    CHECK(s.path_info == "/b");

    s = script_of("/cgi-bin/env.py/%252e%252e/x");
    CHECK(s.path_info == "/../x");
    CHECK(s.path_translated_relative == "x");

    s = script_of("/cgi-bin/env.py/%ED%B2%80");                     // replaced when collapsing
    CHECK(s.path_info == "/\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // one per bad byte, as Python

    s = script_of("/cgi-bin/%C3%A9.sh");
    CHECK(s.script_name == "/cgi-bin/\xC3\xA9.sh");
    CHECK(s.script_relative == "cgi-bin/\xC3\xA9.sh");
    s = script_of("/cgi-bin/\xE9.sh/p\xE9");  // raw bytes are Latin-1 characters
    CHECK(s.script_name == "/cgi-bin/\xC3\xA9.sh");
    CHECK(s.script_relative == "cgi-bin/\xC3\xA9.sh");
    CHECK(s.path_info == "/p\xC3\xA9");
    CHECK(s.path_translated_relative == "p\xC3\xA9");
}

TEST_CASE("dispatch_cgi: better than Python", "[cgi]") {
    // Python runs <root>/a.txt for this (decoded once by the collapse, once by translate_path). The
    // name is decoded once here: a file called "%2e%2e" in cgi-bin, which the file system answers.
    CgiScript s = script_of("/cgi-bin/%252e%252e/a.txt");
    CHECK(s.script_name == "/cgi-bin/%2e%2e");
    CHECK(s.script_relative == "cgi-bin/%2e%2e");
    CHECK(s.path_info == "/a.txt");
    CHECK(s.script_allowed);
    const auto refusal = check_script(s, ScriptFileFacts{});
    REQUIRE(refusal);
    CHECK(refusal->status == 404);
    CHECK(refusal->message == "No such CGI script ('/cgi-bin/%2e%2e')");
    s = script_of("/htbin/%252e%252e/cgi-bin/env.py");
    CHECK(s.script_relative == "htbin/%2e%2e");
    // The finding of issue 10: a %0A in the name forged an error-log line, and "%252f..%252f"
    // walked to another script than SCRIPT_NAME says. Control characters are a bad request now...
    CHECK(run("/cgi-bin/x%0a%5b2026-01-01%2000:00:00.000%5d%20%5bcritical%5d%20FORGED%0d%252f..%252fscript.sh").kind ==
          CgiDispatchKind::BadRequest);
    // ...and without them the name still names its own file.
    s = script_of("/cgi-bin/x%252f..%252fscript.sh");
    CHECK(s.script_name == "/cgi-bin/x%2f..%2fscript.sh");
    CHECK(s.script_relative == "cgi-bin/x%2f..%2fscript.sh");
    for (std::string_view target : {"/cgi-bin/a%01b", "/cgi-bin/a%1fb", "/cgi-bin/a%7fb", "/cgi-bin/a%09b",
                                    "/cgi-bin/env.py/a%0Db", "/cgi-bin/env.py/a%250ab", "/cgi-bin/%0a/env.py"}) {
        INFO(std::string(target));
        CHECK(run(target).kind == CgiDispatchKind::BadRequest);
    }
    CHECK(run("/cgi-bin/a%20b%C2%A0c").kind == CgiDispatchKind::Script);  // space and NBSP are no controls

    // A fragment is dropped first (Python's is_cgi keeps it, its static handler cuts it: the
    // script's source would be served).
    CHECK(script_of("/cgi-bin/env.py#/../../a.txt").script_name == "/cgi-bin/env.py");
    CHECK(script_of("/cgi-bin/env.py#frag").script_basename == "env.py");
    // An absolute-form target is reduced to its path, as the static handler does.
    s = script_of("http://example.com/cgi-bin/env.py/p?q");
    CHECK(s.script_name == "/cgi-bin/env.py");
    CHECK(s.path_info == "/p");
    CHECK(s.query == "q");
    CHECK(run("http://example.com").kind == CgiDispatchKind::NotCgi);

    // A NUL in the script name is a bad request; "%2500" is the three characters "%00".
    s = script_of("/cgi-bin/a%2500b");
    CHECK(s.script_relative == "cgi-bin/a%00b");
    CHECK(check_script(s, ScriptFileFacts{})->message == "No such CGI script ('/cgi-bin/a%00b')");
    CHECK(run("/cgi-bin/a%00b").kind == CgiDispatchKind::BadRequest);

    // "%252F" is the three characters "%2F" of a name, not the slash Python's second decoding made.
    s = script_of("/cgi-bin/env.py%252F");
    CHECK(s.script_name == "/cgi-bin/env.py%2F");
    CHECK(s.script_relative == "cgi-bin/env.py%2F");
}

TEST_CASE("dispatch_cgi: configured directories", "[cgi]") {
    FakeTree tree;
    tree.dirs.insert("scripts");
    const std::vector<std::string> dirs{"/scripts"};
    CgiDispatch d = dispatch_cgi("/scripts/run.sh/x", dirs, tree.callback());
    REQUIRE(d.kind == CgiDispatchKind::Script);
    CHECK(d.script.script_name == "/scripts/run.sh");
    CHECK(d.script.path_info == "/x");
    CHECK(dispatch_cgi("/cgi-bin/env.py", dirs, tree.callback()).kind == CgiDispatchKind::NotCgi);
    CHECK(dispatch_cgi("/cgi-bin/env.py", {}, tree.callback()).kind == CgiDispatchKind::NotCgi);
}

// ================================================================ argv

TEST_CASE("cgi_argv: the query as one argument when it has no '='", "[cgi]") {
    CHECK(cgi_argv(script_of("/cgi-bin/env.py?hello+world")) == std::vector<std::string>{"env.py", "hello world"});
    CHECK(cgi_argv(script_of("/cgi-bin/env.py")) == std::vector<std::string>{"env.py", ""});
    CHECK(cgi_argv(script_of("/cgi-bin/env.py?")) == std::vector<std::string>{"env.py", ""});
    CHECK(cgi_argv(script_of("/cgi-bin/env.py?a=b")) == std::vector<std::string>{"env.py"});
    CHECK(cgi_argv(script_of("/cgi-bin/env.py?a%20b+c%3D")) == std::vector<std::string>{"env.py", "a%20b c%3D"});
    CHECK(cgi_argv(script_of("/cgi-bin/child-dir/file3.py/p?x")) == std::vector<std::string>{"file3.py", "x"});
}

// ================================================================ checks

TEST_CASE("check_script: Python's order and messages", "[cgi]") {
    const CgiScript s = script_of("/cgi-bin/env.py");
    auto r = check_script(s, ScriptFileFacts{false, false, false});
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->message == "No such CGI script ('/cgi-bin/env.py')");
    r = check_script(s, ScriptFileFacts{true, false, true});
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(r->message == "CGI script is not a plain file ('/cgi-bin/env.py')");
    r = check_script(s, ScriptFileFacts{true, true, false});
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(r->message == "CGI script is not executable ('/cgi-bin/env.py')");
    CHECK_FALSE(check_script(s, ScriptFileFacts{true, true, true}));
}

TEST_CASE("python_repr_utf8: repr() of the script name, Latin-1 for the status line", "[cgi]") {
    CHECK(python_repr_utf8("/cgi-bin/x") == "'/cgi-bin/x'");
    CHECK(python_repr_utf8("/cgi-bin/it's") == "\"/cgi-bin/it's\"");
    CHECK(python_repr_utf8("/a'b\"c") == "'/a\\'b\"c'");
    CHECK(python_repr_utf8("/a\\b\tc\nd") == "'/a\\\\b\\tc\\nd'");
    CHECK(python_repr_utf8("/\xC3\xA9") == "'/\xE9'");  // printable Latin-1: kept, as Latin-1
    CHECK(python_repr_utf8("/\xC2\xA0\xC2\x85") == "'/\\xa0\\x85'");
    // Above U+00FF Python's status line would fail to encode: escaped.
    CHECK(python_repr_utf8("/\xE2\x82\xAC") == "'/\\u20ac'");
    CHECK(python_repr_utf8("/\xEF\xBF\xBD\xC3\xA9") == "'/\\ufffd\xE9'");
    CHECK(python_repr_utf8("/\xF0\x9F\x98\x80'") == "\"/\\U0001f600'\"");
    CHECK(python_repr_utf8("/\xE2\x82\xAC'\"") == "'/\\u20ac\\'\"'");
    CHECK(python_repr_utf8("/\xFF\xE2\x82\xAC") == "'/\\xff\\u20ac'");  // not UTF-8: the byte
}
