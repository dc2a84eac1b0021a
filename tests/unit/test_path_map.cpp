// Path mapping: expected values are Python's (urllib.parse.unquote, translate_path, urlsplit/urlunsplit).
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "common/dotfiles.hpp"
#include "tests/unit/utf8_table.hpp"
#include "worker/static/path_map.hpp"

using namespace httpserve;
using namespace std::string_literals;

namespace {

std::string relative_of(std::string_view raw, bool* ok = nullptr) { return map_path(raw, ok).relative; }

}  // namespace

TEST_CASE("split_target: query at the first '?', fragment at the first '#'", "[path_map]") {
    auto t = split_target("/sub?q=1#frag");
    CHECK(t.path == "/sub");
    CHECK(t.has_query);
    CHECK(t.query == "q=1");
    CHECK(t.has_fragment);
    CHECK(t.fragment == "frag");

    t = split_target("/a#b?c");  // '?' inside the fragment is not a query
    CHECK(t.path == "/a");
    CHECK_FALSE(t.has_query);
    CHECK(t.fragment == "b?c");

    t = split_target("/a?b?c#d#e");
    CHECK(t.path == "/a");
    CHECK(t.query == "b?c");
    CHECK(t.fragment == "d#e");

    t = split_target("/plain");
    CHECK(t.path == "/plain");
    CHECK_FALSE(t.has_query);
    CHECK_FALSE(t.has_fragment);
    CHECK(t.query.empty());

    t = split_target("/x?#");
    CHECK(t.has_query);
    CHECK(t.query.empty());
    CHECK(t.has_fragment);
    CHECK(t.fragment.empty());

    CHECK(split_target("").path.empty());
    CHECK(split_target("sub").path == "sub");
}

TEST_CASE("split_target: absolute-form is reduced to its path", "[path_map]") {
    auto t = split_target("http://host:8000/p?q");
    CHECK(t.path == "/p");
    CHECK(t.query == "q");

    CHECK(split_target("HTTP://Host/a/b.txt").path == "/a/b.txt");
    CHECK(split_target("https://host/x#f").path == "/x");
    CHECK(split_target("HtTpS://h/").path == "/");
    CHECK(split_target("http://host").path == "/");

    t = split_target("http://host?x=1");
    CHECK(t.path == "/");
    CHECK(t.query == "x=1");

    // Other schemes and near misses stay origin-form paths, as Python takes them.
    CHECK(split_target("ftp://host/p").path == "ftp://host/p");
    CHECK(split_target("http:/p").path == "http:/p");
    CHECK(split_target("/http://host/p").path == "/http://host/p");
}

TEST_CASE("collapse_leading_slashes: Python's open-redirect fix", "[path_map]") {
    CHECK(collapse_leading_slashes("//evil.com/x") == "/evil.com/x");
    CHECK(collapse_leading_slashes("///sub") == "/sub");
    CHECK(collapse_leading_slashes("//") == "/");
    CHECK(collapse_leading_slashes("/////") == "/");
    CHECK(collapse_leading_slashes("/a//b") == "/a//b");
    CHECK(collapse_leading_slashes("/") == "/");
    CHECK(collapse_leading_slashes("") == "");
    CHECK(collapse_leading_slashes("a//") == "a//");
}

TEST_CASE("percent_decode: unquote(errors='replace')", "[path_map]") {
    CHECK(percent_decode("/a%2Fb") == "/a/b");
    CHECK(percent_decode("%41%4a%4A") == "AJJ");
    CHECK(percent_decode("sp%20ace") == "sp ace");
    // '%' without two hex digits stays.
    CHECK(percent_decode("100%") == "100%");
    CHECK(percent_decode("%%41") == "%A");
    CHECK(percent_decode("%4") == "%4");
    CHECK(percent_decode("%zz") == "%zz");
    CHECK(percent_decode("%00") == "\0"s);
    CHECK(percent_decode("%c3%a9") == "\xC3\xA9");
    CHECK(percent_decode("%C3%A9") == "\xC3\xA9");
    CHECK(percent_decode("%e2%82%ac") == "\xE2\x82\xAC");
    CHECK(percent_decode("%f0%9f%98%80") == "\xF0\x9F\x98\x80");
}

TEST_CASE("percent_decode: invalid UTF-8 becomes U+FFFD per maximal subpart", "[path_map]") {
    const std::string r = "\xEF\xBF\xBD";
    CHECK(percent_decode("%ff") == r);
    CHECK(percent_decode("%e9") == r);
    CHECK(percent_decode("%e2%82") == r);  // truncated: one replacement
    CHECK(percent_decode("%e2%82x") == r + "x");
    CHECK(percent_decode("%c3%28") == r + "(");
    CHECK(percent_decode("%ed%a0%80") == r + r + r);  // surrogate
    CHECK(percent_decode("%ed%b3%bf") == r + r + r);
    CHECK(percent_decode("%f0%90%80") == r);
    CHECK(percent_decode("%c0%af") == r + r);  // overlong
    CHECK(percent_decode("%e0%80%af") == r + r + r);
    CHECK(percent_decode("%f4%90%80%80") == r + r + r + r);  // above U+10FFFF
    CHECK(percent_decode("%f8%88%80%80%80") == r + r + r + r + r);
    CHECK(percent_decode("%e2%82%e2%82%ac") == r + "\xE2\x82\xAC");
}

TEST_CASE("percent_decode: raw bytes >= 0x80 are Latin-1 characters", "[path_map]") {
    CHECK(percent_decode("\xE9") == "\xC3\xA9");              // 'é' sent raw as Latin-1
    CHECK(percent_decode("\xC3\xA9") == "\xC3\x83\xC2\xA9");  // raw UTF-8 is two Latin-1 chars
    CHECK(percent_decode("/\xFF%41") ==
          "/\xC3\xBF"
          "A");
    // Each ASCII run is decoded on its own: a raw byte splits a %-sequence.
    CHECK(percent_decode("%c3\xA9") == "\xEF\xBF\xBD\xC2\xA9");
}

TEST_CASE("percent_decode: output is always valid UTF-8", "[path_map]") {
    for (const char* s : {"%ff%fe", "\xFF\xFE", "%ed%a0%80\x80", "%c3", "%", "%e2%82\xAC", "a%00b"})
        CHECK(testing::table_valid_utf8(percent_decode(s)));
}

TEST_CASE("percent_decode_path: surrogatepass, then surrogateescape for the file system", "[path_map]") {
    // The href a listing gives the undecodable name b"\xff" maps back to that byte.
    CHECK(percent_decode_path("%ED%B3%BF") == "\xFF");
    CHECK(percent_decode_path("/%ed%b2%80.bin") == "/\x80.bin");
    // Any other error: Python retries with errors='replace' for the whole string.
    CHECK(percent_decode_path("%ED%B3%BF%ff") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    // A surrogate that is not a file-name byte.
    CHECK(percent_decode_path("%ed%a0%80") == "\xEF\xBF\xBD");
    CHECK(percent_decode_path("a%ed%a0%80b", "?") == "a?b");
    CHECK(percent_decode_path("%c3%a9/x") == "\xC3\xA9/x");
    CHECK(percent_decode_path("plain/path") == "plain/path");
}

TEST_CASE("map_path: Python's translate_path", "[path_map]") {
    CHECK(relative_of("/") == "");
    CHECK(relative_of("") == "");
    CHECK(relative_of("/a.txt") == "a.txt");
    CHECK(relative_of("a.txt") == "a.txt");  // no leading slash works
    CHECK(relative_of("/sub/a.txt") == "sub/a.txt");
    CHECK(relative_of("//filename") == "filename");
    CHECK(relative_of("/a//b///c") == "a/b/c");
    CHECK(relative_of("/./a/./b/.") == "a/b");
    CHECK(relative_of("/sub/../a.txt") == "a.txt");
    CHECK(relative_of("/sp%20ace/x") == "sp ace/x");
    CHECK(relative_of("/%ff.dir/") == "\xEF\xBF\xBD.dir");
    CHECK(relative_of("/%c3%a9.txt") == "\xC3\xA9.txt");
    CHECK(relative_of("/\xC3\xA9.txt") == "\xC3\x83\xC2\xA9.txt");
    CHECK(relative_of("/%ED%B3%BF") == "\xFF");
    // POSIX: backslash and drive letters are ordinary characters.
    CHECK(relative_of("/c:/a.txt") == "c:/a.txt");
    CHECK(relative_of("/a\\..\\b") == "a\\..\\b");
    CHECK(relative_of("/...") == "...");
    CHECK(relative_of("/.hidden") == ".hidden");
}

TEST_CASE("map_path: never climbs above the root", "[path_map]") {
    CHECK(relative_of("/../../etc/passwd") == "etc/passwd");
    CHECK(relative_of("/..%2f..%2fetc/passwd") == "etc/passwd");
    CHECK(relative_of("/%2e%2e/%2e%2e/etc/passwd") == "etc/passwd");
    CHECK(relative_of("/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd") == "etc/passwd");
    CHECK(relative_of("..") == "");
    CHECK(relative_of("../a/../../b/..") == "");
    CHECK(relative_of("/a/b/../../../../c") == "c");
    CHECK(relative_of("/a/./../b") == "b");
}

TEST_CASE("map_path: trailing slash after decoding (3.14)", "[path_map]") {
    CHECK(map_path("/").trailing_slash);
    CHECK(map_path("/sub/").trailing_slash);
    CHECK(map_path("/sub%2f").trailing_slash);
    CHECK(map_path("/sub%2F").trailing_slash);
    CHECK(map_path("/a.txt/").trailing_slash);
    CHECK(map_path("/sub/./").trailing_slash);
    CHECK_FALSE(map_path("").trailing_slash);
    CHECK_FALSE(map_path("/sub").trailing_slash);
    CHECK_FALSE(map_path("/sub/.").trailing_slash);
    CHECK_FALSE(map_path("/dir/%20").trailing_slash);
    CHECK(map_path("/sub%2f").relative == "sub");
}

TEST_CASE("map_path: NUL and unencodable surrogates are refused", "[path_map]") {
    bool ok = true;
    map_path("/a%00.txt", &ok);
    CHECK_FALSE(ok);
    ok = true;
    map_path("/a\0b"s, &ok);
    CHECK_FALSE(ok);
    ok = true;
    map_path("/%ed%a0%80", &ok);
    CHECK_FALSE(ok);
    // Python only fails when it survives normalisation.
    ok = false;
    CHECK(relative_of("/a%00/../b", &ok) == "b");
    CHECK(ok);
    ok = false;
    CHECK(relative_of("/%ed%a0%80/../x", &ok) == "x");
    CHECK(ok);
    ok = false;
    map_path("/sub/a.txt", &ok);
    CHECK(ok);
    CHECK(map_path("/a%00").relative.empty());
}

TEST_CASE("map_decoded_path: normalised like map_path, never decoded", "[path_map]") {
    bool ok = false;
    MappedPath m = map_decoded_path("/cgi-bin/x%2f..%2fscript.sh", &ok);
    CHECK(ok);
    CHECK(m.relative == "cgi-bin/x%2f..%2fscript.sh");
    CHECK_FALSE(m.trailing_slash);
    m = map_decoded_path("/cgi-bin/%2e%2e/../a//./b/", &ok);
    CHECK(ok);
    CHECK(m.relative == "cgi-bin/a/b");
    CHECK(m.trailing_slash);
    CHECK(map_decoded_path("/../../a").relative == "a");
    CHECK(map_decoded_path("/caf\xC3\xA9").relative == "caf\xC3\xA9");  // bytes kept as they are
    m = map_decoded_path("/a\0b"s, &ok);
    CHECK_FALSE(ok);
    CHECK(m.relative.empty());
}

TEST_CASE("has_dot_component", "[path_map]") {
    CHECK(has_dot_component(".hidden"));
    CHECK(has_dot_component("a/.git/config"));
    CHECK(has_dot_component("a/.b"));
    CHECK_FALSE(has_dot_component("a.b/c.d"));
    CHECK_FALSE(has_dot_component(""));
    CHECK_FALSE(has_dot_component("a/b."));
    // The names the CGI launcher refuses with dotfiles = "deny".
    CHECK(has_dot_component(".hidden.sh"));
    CHECK(has_dot_component("sub/.git/x.sh"));
    CHECK(has_dot_component("../x.sh"));
    CHECK_FALSE(has_dot_component("x.sh"));
    CHECK_FALSE(has_dot_component("sub/x.sh.bak"));
}

TEST_CASE("directory_redirect_location: observed Python values", "[path_map]") {
    CHECK(directory_redirect_location("/sub") == "/sub/");
    CHECK(directory_redirect_location("/sub?q=1#frag") == "/sub/?q=1#frag");
    CHECK(directory_redirect_location("/sub#frag") == "/sub/#frag");
    CHECK(directory_redirect_location("sub") == "sub/");
    CHECK(directory_redirect_location("/sp%20ace") == "/sp%20ace/");
    CHECK(directory_redirect_location("///sub") == "/sub/");
    CHECK(directory_redirect_location("/sub/..") == "/sub/../");
    CHECK(directory_redirect_location("/sub%2f") == "/sub%2f/");
    // urlunsplit drops an empty query or fragment.
    CHECK(directory_redirect_location("/sub?") == "/sub/");
    CHECK(directory_redirect_location("/sub?#") == "/sub/");
    CHECK(directory_redirect_location("/sub?a?b") == "/sub/?a?b");
}

TEST_CASE("directory_redirect_location: absolute form and odd targets", "[path_map]") {
    CHECK(directory_redirect_location("http://host:8000/sub?x") == "http://host:8000/sub/?x");
    CHECK(directory_redirect_location("HTTPS://Host/sub") == "https://Host/sub/");  // urlsplit lower-cases the scheme
    CHECK(directory_redirect_location("http://host") == "http://host/");
    // Never a network-path reference, even when the caller did not collapse the slashes.
    CHECK(directory_redirect_location("//evil.example/x") == "/evil.example/x/");
    CHECK(directory_redirect_location("c:/x") == "c:/x/");
    CHECK(directory_redirect_location("C:/x") == "c:/x/");
    CHECK(directory_redirect_location("\x01/sub") == "/sub/");  // urlsplit strips leading C0 controls
    CHECK(directory_redirect_location("/a\xFF") == "/a\xFF/");
}

TEST_CASE("directory_redirect_location: never points at another host", "[path_map]") {
    // "/\evil.example/.." maps to the root; browsers read "/\" as "//".
    CHECK(directory_redirect_location("/\\evil.example/..") == "/%5Cevil.example/../");
    CHECK(directory_redirect_location("/a\\b") == "/a%5Cb/");
    CHECK(directory_redirect_location("/a\\b?x\\y") == "/a%5Cb/?x\\y");  // only the path
    // Leading control characters are stripped before the "//" fix, not after.
    CHECK(directory_redirect_location("\x01//evil.example/x") == "/evil.example/x/");
    CHECK(directory_redirect_location(" //evil.example/x") == "/evil.example/x/");
    CHECK(directory_redirect_location("/\n/evil.example/x") == "/evil.example/x/");  // urlsplit drops \t \r \n
    // A special scheme without authority: only the path.
    CHECK(directory_redirect_location("http:///evil.example/..") == "/evil.example/../");
    CHECK(directory_redirect_location("http:////evil.example/..") == "/evil.example/../");
    CHECK(directory_redirect_location("HTTPS:/x") == "/x/");
    CHECK(directory_redirect_location("http:https://evil.example/..") == "./https://evil.example/../");
    CHECK(directory_redirect_location("http:sub") == "sub/");
    // The root never gives "//".
    CHECK(directory_redirect_location("/") == "/");
    CHECK(directory_redirect_location("//") == "/");
}
