// [[headers]] match patterns: Python's fnmatch.fnmatchcase rules on the request path.
#include <catch2/catch.hpp>

#include <string>

#include "config/path_glob.hpp"

using namespace httpserve;

namespace {

bool match(const std::string& pattern, const std::string& path) {
    const auto glob = PathGlob::compile(pattern);
    REQUIRE(glob);
    return glob->matches(path);
}

}  // namespace

TEST_CASE("glob: '*' crosses '/', as fnmatch does", "[glob]") {
    CHECK(match("/api/*", "/api/"));
    CHECK(match("/api/*", "/api/v1/users"));
    CHECK_FALSE(match("/api/*", "/api"));
    CHECK_FALSE(match("/api/*", "/apix/y"));
    CHECK(match("*", "/"));
    CHECK(match("*", "/anything/at/all"));
    CHECK(match("*.wasm", "/a/b/c.wasm"));
    CHECK_FALSE(match("*.wasm", "/a/b/c.wasm.map"));
    CHECK(match("/*/index.html", "/a/b/index.html"));
    CHECK(match("/a*b*c", "/aXXbYYbZZc"));
    CHECK_FALSE(match("/a*b*c", "/aXXbYYbZZ"));
    CHECK(match("/**", "/x"));
    CHECK(match("/exact", "/exact"));
    CHECK_FALSE(match("/exact", "/exact/"));
    CHECK_FALSE(match("/Exact", "/exact"));  // case-sensitive (fnmatchcase)
}

TEST_CASE("glob: '?' and sets", "[glob]") {
    CHECK(match("/?.txt", "/a.txt"));
    CHECK_FALSE(match("/?.txt", "/ab.txt"));
    CHECK(match("/?", "//"));  // '?' matches '/' too
    CHECK(match("/[abc].txt", "/b.txt"));
    CHECK_FALSE(match("/[abc].txt", "/d.txt"));
    CHECK(match("/[a-c]x", "/bx"));
    CHECK_FALSE(match("/[!a-c]x", "/bx"));
    CHECK(match("/[!a-c]x", "/dx"));
    CHECK(match("/[]]", "/]"));   // ']' first is literal
    CHECK(match("/[!]]", "/a"));  // and after '!'
    CHECK(match("/[*]", "/*"));   // how to match a literal '*'
    CHECK_FALSE(match("/[*]", "/x"));
    CHECK(match("/a\\b", "/a\\b"));  // no escaping: '\' is an ordinary character
    CHECK(match("/caf\xc3\xa9/*", "/caf\xc3\xa9/x"));
}

TEST_CASE("glob: an unclosed '[' is an error, not a literal", "[glob]") {
    std::string error;
    CHECK_FALSE(PathGlob::compile("/[ab", &error));
    CHECK(error == "unclosed '[' in \"/[ab\"");
    CHECK_FALSE(PathGlob::compile("/[]", &error));
    CHECK(PathGlob::compile("/[]]"));
}

TEST_CASE("glob: many stars stay linear enough", "[glob]") {
    const std::string path(4000, 'a');
    CHECK_FALSE(match("*a*a*a*a*a*a*a*a*b", path));
    CHECK(match("*a*a*a*a*a*a*a*a*", path));
}
