// Directory listings: expected bytes are Python's list_directory (the 3.14 template).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "worker/static/listing.hpp"

using namespace httpserve;

namespace {

ListingEntry file(std::string name) { return {std::move(name), false, false}; }
ListingEntry dir(std::string name) { return {std::move(name), true, false}; }
ListingEntry link(std::string name, bool to_dir) { return {std::move(name), to_dir, true}; }

std::string page(const std::string& title, const std::string& items) {
    return "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<style type=\"text/css\">\n:root {\ncolor-scheme: light dark;\n}\n</style>\n<title>Directory listing for " +
           title + "</title>\n</head>\n<body>\n<h1>Directory listing for " + title + "</h1>\n<hr>\n<ul>\n" + items +
           "</ul>\n<hr>\n</body>\n</html>\n";
}

std::vector<std::string> names_of(const std::vector<ListingEntry>& entries) {
    std::vector<std::string> names;
    for (const auto& e : entries) names.push_back(e.name);
    return names;
}

std::vector<std::string> sorted(std::vector<std::string> names) {
    std::vector<ListingEntry> entries;
    for (auto& n : names) entries.push_back(file(std::move(n)));
    sort_listing(entries);
    return names_of(entries);
}

}  // namespace

TEST_CASE("url_quote: only A-Za-z0-9_.-~/ stay", "[listing]") {
    CHECK(url_quote("q?.txt") == "q%3F.txt");
    CHECK(url_quote("f#.txt") == "f%23.txt");
    CHECK(url_quote("<i>&amp.txt") == "%3Ci%3E%26amp.txt");
    CHECK(url_quote("sp ace/") == "sp%20ace/");
    CHECK(url_quote("%A4.txt") == "%25A4.txt");
    CHECK(url_quote("\xC3\xA9.txt") == "%C3%A9.txt");
    CHECK(url_quote("AZaz09_.-~/") == "AZaz09_.-~/");
    CHECK(url_quote("+,;=:@!$'()*\"") == "%2B%2C%3B%3D%3A%40%21%24%27%28%29%2A%22");
    CHECK(url_quote(std::string("\0\x7F\xFF", 3)) == "%00%7F%FF");
    CHECK(url_quote("") == "");
}

TEST_CASE("render_listing: the observed /sub/ page", "[listing]") {
    const std::string body = render_listing("/sub/", {dir("dir")});
    CHECK(body == page("/sub/", "<li><a href=\"dir/\">dir/</a></li>\n"));
    CHECK(body.size() == 297);  // 228 before 3.14's <style> block
}

TEST_CASE("render_listing: empty directory", "[listing]") { CHECK(render_listing("/", {}) == page("/", "")); }

TEST_CASE("render_listing: entries, links and escaping", "[listing]") {
    const std::vector<ListingEntry> entries = {
        file("%A4.txt"), file("<i>&amp.txt"),  link("broken", false), dir("d"),
        file("f#.txt"),  link("ldir", true),   link("lfile", false),  file("q?.txt"),
        dir("sp ace"),   file("\xC3\xA9.txt"), file("\xFF"),          file("quote\"'"),
    };
    const std::string items =
        "<li><a href=\"%25A4.txt\">%A4.txt</a></li>\n"
        "<li><a href=\"%3Ci%3E%26amp.txt\">&lt;i&gt;&amp;amp.txt</a></li>\n"
        "<li><a href=\"broken\">broken@</a></li>\n"
        "<li><a href=\"d/\">d/</a></li>\n"
        "<li><a href=\"f%23.txt\">f#.txt</a></li>\n"
        "<li><a href=\"ldir/\">ldir@</a></li>\n"  // a link to a directory shows '@', links with '/'
        "<li><a href=\"lfile\">lfile@</a></li>\n"
        "<li><a href=\"q%3F.txt\">q?.txt</a></li>\n"
        "<li><a href=\"sp%20ace/\">sp ace/</a></li>\n"
        "<li><a href=\"%C3%A9.txt\">\xC3\xA9.txt</a></li>\n"
        "<li><a href=\"%ED%B3%BF\">\xFF</a></li>\n"  // surrogatepass href, raw byte shown
        "<li><a href=\"quote%22%27\">quote\"'</a></li>\n";
    CHECK(render_listing("/x/", entries) == page("/x/", items));
}

TEST_CASE("render_listing: undecodable names", "[listing]") {
    const std::vector<ListingEntry> entries = {file("a\xE2\x82"
                                                    "b"),
                                               dir("\xFE dir"), file("\xED\xA0\x80")};
    const std::string items =
        "<li><a href=\"a%ED%B3%A2%ED%B2%82b\">a\xE2\x82"
        "b</a></li>\n"
        "<li><a href=\"%ED%B3%BE%20dir/\">\xFE dir/</a></li>\n"
        "<li><a href=\"%ED%B3%AD%ED%B2%A0%ED%B2%80\">\xED\xA0\x80</a></li>\n";
    CHECK(render_listing("/", entries) == page("/", items));
}

TEST_CASE("render_listing: the title", "[listing]") {
    const auto title_of = [](const char* target) {
        const std::string body = render_listing(target, {});
        const auto start = body.find("<title>") + 7;
        return body.substr(start, body.find("</title>") - start);
    };
    CHECK(title_of("/sub/") == "Directory listing for /sub/");
    // 3.14: no query, no fragment.
    CHECK(title_of("/sub/?x=1&y=<b>") == "Directory listing for /sub/");
    CHECK(title_of("/sub/#frag") == "Directory listing for /sub/");
    CHECK(title_of("/sub/?x=%bb") == "Directory listing for /sub/");
    // Decoded, escaped, not normalised.
    CHECK(title_of("/a%20b/") == "Directory listing for /a b/");
    CHECK(title_of("/a&b%3Cc%3E/") == "Directory listing for /a&amp;b&lt;c&gt;/");
    CHECK(title_of("/sub/../") == "Directory listing for /sub/../");
    CHECK(title_of("/%c3%a9/") == "Directory listing for /\xC3\xA9/");
    CHECK(title_of("/%ff.dir/") == "Directory listing for /\xEF\xBF\xBD.dir/");
    CHECK(title_of("/%ED%B3%BF/") == "Directory listing for /\xFF/");
    CHECK(title_of("/\xE9/") == "Directory listing for /\xC3\xA9/");  // raw Latin-1 byte
    // Python's "//" fix applies to self.path.
    CHECK(title_of("//sub/") == "Directory listing for /sub/");
    // Absolute form: its path.
    CHECK(title_of("http://host/sub/?q") == "Directory listing for /sub/");
}

TEST_CASE("sort_listing: str.lower order, stable", "[listing]") {
    CHECK(sorted({"b", "A", "a", "B", "c"}) == std::vector<std::string>{"A", "a", "b", "B", "c"});
    CHECK(sorted({"Zeta", "alpha", "_x", "~t", ".hidden", "B.txt", "a.txt"}) ==
          std::vector<std::string>{".hidden", "_x", "a.txt", "alpha", "B.txt", "Zeta", "~t"});
    // Ties keep their order: stable.
    CHECK(sorted({"SS", "ss", "Ss"}) == std::vector<std::string>{"SS", "ss", "Ss"});
    // Latin-1, Greek, Cyrillic compare by their lower-case code points.
    CHECK(sorted({"\xC3\xA9t\xC3\xA9",
                  "\xC3\x89"
                  "cole",
                  "z"}) ==  // été École z
          std::vector<std::string>{"z",
                                   "\xC3\x89"
                                   "cole",
                                   "\xC3\xA9t\xC3\xA9"});
    CHECK(sorted({"\xCE\xA9", "\xCE\xB2", "\xCE\x91"}) ==  // Ω β Α
          std::vector<std::string>{"\xCE\x91", "\xCE\xB2", "\xCE\xA9"});
    CHECK(sorted({"\xD0\x96", "\xD0\xB0", "\xD0\x81"}) ==  // Ж а Ё
          std::vector<std::string>{"\xD0\xB0", "\xD0\x96", "\xD0\x81"});
}

TEST_CASE("sort_listing: undecodable bytes sort as surrogates", "[listing]") {
    // U+DCFF (from b"\xff") sorts after U+D7FF but before U+E000 and U+FFFD.
    const std::vector<std::string> order = sorted({"\xEF\xBF\xBD", "\xFF", "\xED\x9F\xBF", "\xEE\x80\x80", "a"});
    CHECK(order == std::vector<std::string>{"a", "\xED\x9F\xBF", "\xFF", "\xEE\x80\x80", "\xEF\xBF\xBD"});
}

TEST_CASE("sort_listing: U+0130 lower-cases to two code points", "[listing]") {
    // 'İx'.lower() == 'i̇x' > 'ix'; 'İ' < 'J' only once lower-cased.
    CHECK(sorted({"\xC4\xB0x", "ix", "J"}) == std::vector<std::string>{"ix", "\xC4\xB0x", "J"});
}

TEST_CASE("sort_listing keeps the entry flags with their names", "[listing]") {
    std::vector<ListingEntry> entries = {dir("b"), link("A", true), file("c")};
    sort_listing(entries);
    REQUIRE(names_of(entries) == std::vector<std::string>{"A", "b", "c"});
    CHECK(entries[0].is_symlink);
    CHECK(entries[0].is_dir);
    CHECK(entries[1].is_dir);
    CHECK_FALSE(entries[1].is_symlink);
    CHECK_FALSE(entries[2].is_dir);
}
