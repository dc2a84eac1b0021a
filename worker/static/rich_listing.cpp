#include "worker/static/rich_listing.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "common/escape.hpp"
#include "common/utf8.hpp"
#include "worker/http/error_page.hpp"
#include "worker/static/listing.hpp"

namespace httpserve {

namespace {

// Each ill-formed sequence as one U+FFFD (what Python's 'replace' gives): the page and the JSON
// are UTF-8 whatever the file system holds.
std::string valid_utf8(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (size_t i = 0; i < name.size();) {
        const Utf8Step step = decode_utf8(name, i);
        if (step.valid) out.append(name.substr(i, step.length));
        else out.append("\xEF\xBF\xBD");
        i += step.length;
    }
    return out;
}

unsigned char ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + 32) : c; }

// Case-insensitive for ASCII, then byte order, so that the order is total and stable across requests.
bool name_less(const std::string& a, const std::string& b) {
    const auto lower_less = [](char x, char y) {
        return ascii_lower(static_cast<unsigned char>(x)) < ascii_lower(static_cast<unsigned char>(y));
    };
    if (std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), lower_less)) return true;
    if (std::lexicographical_compare(b.begin(), b.end(), a.begin(), a.end(), lower_less)) return false;
    return a < b;
}

// "2026-12-08 03:04" (UTC) for people, "2026-12-08T03:04:05Z" for machines.
std::string utc_time(int64_t t, bool iso) {
    const std::time_t when = static_cast<std::time_t>(t);
    std::tm tm{};
    if (::gmtime_r(&when, &tm) == nullptr) return "";
    char buf[32];
    std::strftime(buf, sizeof buf, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M", &tm);
    return buf;
}

void append_json_string(std::string& out, std::string_view utf8) {
    out.push_back('"');
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c < 0x20 || c == 0x7f) {
            out.append("\\u00");
            append_hex(out, c, 2);
        } else {
            out.push_back(ch);
        }
    }
    out.push_back('"');
}

const char* sort_name(RichSort s) {
    switch (s) {
        case RichSort::Name: return "name";
        case RichSort::Size: return "size";
        case RichSort::Time: return "time";
    }
    return "name";
}

// A column heading that sorts by its key: ascending first, descending when it already sorts so.
void append_heading(std::string& out, const char* css_class, const char* label, RichSort key,
                    const ListingQuery& query) {
    const bool current = query.sort == key;
    const bool next_descending = current && !query.descending;
    out.append("<th class=\"").append(css_class).append("\"");
    if (current) out.append(query.descending ? " aria-sort=\"descending\"" : " aria-sort=\"ascending\"");
    out.append("><a href=\"?sort=").append(sort_name(key));
    if (next_descending) out.append("&amp;order=desc");
    out.append("\">").append(label);
    if (current) out.append(query.descending ? " \xE2\x86\x93" : " \xE2\x86\x91");  // ↓ ↑
    out.append("</a></th>");
}

constexpr std::string_view kStyle =
    ":root{color-scheme:light dark}"
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;margin:0 auto;max-width:64rem;"
    "padding:1rem;line-height:1.45;background:#fff;color:#1b1b1b}"
    "h1{font-size:1.25rem;font-weight:600;margin:0 0 1rem;overflow-wrap:anywhere}"
    "table{width:100%;border-collapse:collapse;table-layout:fixed}"
    "th,td{padding:.45rem .5rem;text-align:left;border-bottom:1px solid #8883;vertical-align:top}"
    "th{font-weight:600;white-space:nowrap}"
    "td.name{overflow-wrap:anywhere}"
    ".size{width:6.5rem;text-align:right;white-space:nowrap}"
    ".time{width:9.5rem;white-space:nowrap}"
    "a{color:#0b57d0;text-decoration:none}a:hover{text-decoration:underline}"
    "th a{color:inherit}"
    ".dir a{font-weight:600}"
    "@media (prefers-color-scheme:dark){body{background:#121212;color:#e3e3e3}a{color:#8ab4f8}}"
    "@media (max-width:34rem){.time{display:none}.size{width:5.5rem}body{padding:.75rem}}";

}  // namespace

ListingQuery parse_listing_query(std::string_view query) {
    ListingQuery out;
    while (!query.empty()) {
        const size_t end = query.find_first_of("&;");
        const std::string_view pair = query.substr(0, end);
        query.remove_prefix(end == std::string_view::npos ? query.size() : end + 1);
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
        if (key == "sort") {
            if (value == "name") out.sort = RichSort::Name;
            else if (value == "size") out.sort = RichSort::Size;
            else if (value == "time") out.sort = RichSort::Time;
        } else if (key == "order") {
            if (value == "asc") out.descending = false;
            else if (value == "desc") out.descending = true;
        } else if (key == "format") {
            out.json = value == "json";
        }
    }
    return out;
}

void sort_rich(std::vector<RichEntry>& entries, const ListingQuery& query) {
    std::stable_sort(entries.begin(), entries.end(), [&query](const RichEntry& a, const RichEntry& b) {
        if (a.is_dir != b.is_dir) return a.is_dir;  // folders first, whichever the order
        const RichEntry& x = query.descending ? b : a;
        const RichEntry& y = query.descending ? a : b;
        switch (query.sort) {
            case RichSort::Size:
                if (!a.is_dir && x.size != y.size) return x.size < y.size;
                break;
            case RichSort::Time:
                if (x.mtime != y.mtime) return x.mtime < y.mtime;
                break;
            case RichSort::Name: break;
        }
        return name_less(x.name, y.name);
    });
}

std::string human_size(uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = static_cast<double>(bytes) / 1024.0;
    size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    char buf[32];
    if (value < 10.0) std::snprintf(buf, sizeof buf, "%.1f %s", value, kUnits[unit]);
    else std::snprintf(buf, sizeof buf, "%.0f %s", value, kUnits[unit]);
    return buf;
}

std::string render_rich_html(std::string_view path, const std::vector<RichEntry>& entries, const ListingQuery& query) {
    const std::string title = "Index of " + http::html_escape(valid_utf8(path));
    std::string out;
    out.reserve(2048 + entries.size() * 200);
    out.append(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
    out.append(title).append("</title>\n<style>").append(kStyle).append("</style>\n</head>\n<body>\n<h1>");
    out.append(title).append("</h1>\n<table>\n<thead><tr>");
    append_heading(out, "name", "Name", RichSort::Name, query);
    append_heading(out, "size", "Size", RichSort::Size, query);
    append_heading(out, "time", "Modified (UTC)", RichSort::Time, query);
    out.append("</tr></thead>\n<tbody>\n");
    if (path != "/")
        out.append(
            "<tr class=\"dir\"><td class=\"name\"><a href=\"../\">../</a></td><td class=\"size\">"
            "</td><td class=\"time\"></td></tr>\n");
    for (const RichEntry& e : entries) {
        std::string href = url_quote(e.name);
        if (e.is_dir) href.push_back('/');
        std::string shown = http::html_escape(valid_utf8(e.name));
        if (e.is_dir) shown.push_back('/');
        out.append(e.is_dir ? "<tr class=\"dir\">" : "<tr>");
        out.append("<td class=\"name\"><a href=\"").append(href).append("\">").append(shown).append("</a>");
        if (e.is_symlink) out.append(" <span title=\"symbolic link\">\xE2\x86\x97</span>");  // ↗
        out.append("</td><td class=\"size\"");
        if (!e.is_dir)
            out.append(" title=\"").append(std::to_string(e.size)).append(" bytes\">").append(human_size(e.size));
        else out.append(">\xE2\x80\x94");  // —
        out.append("</td><td class=\"time\"><time datetime=\"").append(utc_time(e.mtime, true)).append("\">");
        out.append(utc_time(e.mtime, false)).append("</time></td></tr>\n");
    }
    out.append("</tbody>\n</table>\n</body>\n</html>\n");
    return out;
}

std::string render_rich_json(std::string_view path, const std::vector<RichEntry>& entries) {
    std::string out;
    out.reserve(64 + entries.size() * 120);
    out.append("{\"path\":");
    append_json_string(out, valid_utf8(path));
    out.append(",\"entries\":[");
    bool first = true;
    for (const RichEntry& e : entries) {
        if (!first) out.push_back(',');
        first = false;
        out.append("{\"name\":");
        append_json_string(out, valid_utf8(e.name));
        out.append(",\"type\":").append(e.is_dir ? "\"directory\"" : "\"file\"");
        out.append(",\"symlink\":").append(e.is_symlink ? "true" : "false");
        out.append(",\"size\":").append(std::to_string(e.is_dir ? 0 : e.size));
        out.append(",\"modified\":\"").append(utc_time(e.mtime, true)).append("\"}");
    }
    out.append("]}\n");
    return out;
}

}  // namespace httpserve
