// worker/static/rich_listing: the listing for people (query parsing, order, HTML and JSON pages).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "worker/static/rich_listing.hpp"

using namespace httpserve;

namespace {

RichEntry file(std::string name, uint64_t size, int64_t mtime) { return {std::move(name), false, false, size, mtime}; }
RichEntry folder(std::string name, int64_t mtime) { return {std::move(name), true, false, 4096, mtime}; }

std::vector<std::string> names(const std::vector<RichEntry>& entries) {
    std::vector<std::string> out;
    for (const RichEntry& e : entries) out.push_back(e.name);
    return out;
}

std::vector<std::string> sorted(std::string_view query) {
    std::vector<RichEntry> entries{file("b.txt", 300, 30), folder("Zeta", 5), file("A.txt", 100, 20),
                                   folder("alpha", 50), file("c.txt", 200, 10)};
    sort_rich(entries, parse_listing_query(query));
    return names(entries);
}

size_t count(const std::string& haystack, const std::string& needle) {
    size_t n = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("rich listing: the query chooses key, order and format; anything else is the default", "[listing][rich]") {
    const ListingQuery d = parse_listing_query("");
    CHECK(d.sort == RichSort::Name);
    CHECK_FALSE(d.descending);
    CHECK_FALSE(d.json);
    const ListingQuery q = parse_listing_query("sort=size&order=desc;format=json");
    CHECK(q.sort == RichSort::Size);
    CHECK(q.descending);
    CHECK(q.json);
    CHECK(parse_listing_query("sort=time").sort == RichSort::Time);
    const ListingQuery bad = parse_listing_query("sort=owner&order=sideways&format=xml&junk&=&sort");
    CHECK(bad.sort == RichSort::Name);
    CHECK_FALSE(bad.descending);
    CHECK_FALSE(bad.json);
}

TEST_CASE("rich listing: folders first, then by the key, either way", "[listing][rich]") {
    CHECK(sorted("") == std::vector<std::string>{"alpha", "Zeta", "A.txt", "b.txt", "c.txt"});
    CHECK(sorted("order=desc") == std::vector<std::string>{"Zeta", "alpha", "c.txt", "b.txt", "A.txt"});
    CHECK(sorted("sort=size") == std::vector<std::string>{"alpha", "Zeta", "A.txt", "c.txt", "b.txt"});
    CHECK(sorted("sort=size&order=desc") == std::vector<std::string>{"Zeta", "alpha", "b.txt", "c.txt", "A.txt"});
    CHECK(sorted("sort=time") == std::vector<std::string>{"Zeta", "alpha", "c.txt", "A.txt", "b.txt"});
    CHECK(sorted("sort=time&order=desc") == std::vector<std::string>{"alpha", "Zeta", "b.txt", "A.txt", "c.txt"});
}

TEST_CASE("rich listing: sizes for people", "[listing][rich]") {
    CHECK(human_size(0) == "0 B");
    CHECK(human_size(1023) == "1023 B");
    CHECK(human_size(1024) == "1.0 KiB");
    CHECK(human_size(1536) == "1.5 KiB");
    CHECK(human_size(20 * 1024 * 1024) == "20 MiB");
    CHECK(human_size(uint64_t{5} << 30) == "5.0 GiB");
}

TEST_CASE("rich listing: the HTML page escapes names, links them quoted, sorts by its headings", "[listing][rich]") {
    std::vector<RichEntry> entries{folder("sub dir", 0), file("<script>&\".txt", 1536, 1765162800)};
    entries.push_back({"link", false, true, 5, 0});
    const std::string html = render_rich_html("/a&b/", entries, parse_listing_query("sort=name"));
    CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
    CHECK(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">") != std::string::npos);
    CHECK(html.find("<meta name=\"color-scheme\" content=\"light dark\">") != std::string::npos);
    CHECK(html.find("prefers-color-scheme:dark") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);  // no JavaScript, and no name turned into markup
    CHECK(html.find("<title>Index of /a&amp;b/</title>") != std::string::npos);
    CHECK(html.find("<a href=\"sub%20dir/\">sub dir/</a>") != std::string::npos);
    CHECK(html.find("<a href=\"%3Cscript%3E%26%22.txt\">&lt;script&gt;&amp;\".txt</a>") != std::string::npos);
    CHECK(html.find("title=\"1536 bytes\">1.5 KiB<") != std::string::npos);
    CHECK(html.find("<time datetime=\"2025-12-08T03:00:00Z\">2025-12-08 03:00</time>") != std::string::npos);
    CHECK(html.find("<a href=\"../\">../</a>") != std::string::npos);
    CHECK(html.find("title=\"symbolic link\"") != std::string::npos);
    // The current column links to the other order; the others to their ascending order.
    CHECK(html.find("<a href=\"?sort=name&amp;order=desc\">Name") != std::string::npos);
    CHECK(html.find("<a href=\"?sort=size\">Size</a>") != std::string::npos);
    CHECK(count(html, "<tr") == count(html, "</tr>"));
    CHECK(count(html, "<td") == count(html, "</td>"));
    CHECK(render_rich_html("/", {}, {}).find("../") == std::string::npos);  // nothing above the root
}

TEST_CASE("rich listing: JSON for scripts, valid UTF-8 whatever the names hold", "[listing][rich]") {
    std::vector<RichEntry> entries{folder("d", 0), file("q\"\\\n\xff.txt", 7, 1765162800)};
    CHECK(render_rich_json("/x/", entries) ==
          "{\"path\":\"/x/\",\"entries\":["
          "{\"name\":\"d\",\"type\":\"directory\",\"symlink\":false,\"size\":0,\"modified\":\"1970-01-01T00:00:00Z\"},"
          "{\"name\":\"q\\\"\\\\\\u000a\xEF\xBF\xBD.txt\",\"type\":\"file\",\"symlink\":false,\"size\":7,"
          "\"modified\":\"2025-12-08T03:00:00Z\"}]}\n");
}
