// Directory listings: Python's list_directory HTML, entry for entry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace httpserve {

struct ListingEntry {
    std::string name;     // raw file-name bytes (usually UTF-8)
    bool is_dir = false;  // stat() follows links: a link to a directory is a dir
    bool is_symlink = false;
};

// urllib.parse.quote(name, safe='/'): A-Za-z0-9 _.-~ and / stay, all else %XX upper-case hex.
std::string url_quote(std::string_view bytes);

// Sorts entries like Python (key = str.lower, stable) in place.
void sort_listing(std::vector<ListingEntry>& entries);

// The full HTML page. `target` is the raw request target; the title is the target without fragment
// and query (3.14), percent-decoded (invalid UTF-8 -> U+FFFD) and HTML-escaped.
// Each entry: dir -> "name/" linking "name/"; symlink -> "name@" (a link to a dir links "name/").
// Entries must be sorted already (sort_listing). Content-Type: "text/html; charset=utf-8".
std::string render_listing(std::string_view target, const std::vector<ListingEntry>& entries);

}  // namespace httpserve
