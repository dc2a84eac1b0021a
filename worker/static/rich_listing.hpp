// The listing for people ([files] listing = "rich"): sizes, modification times, folders first,
// sortable by name, size or time through the query string, and the same entries as JSON for
// scripts (?format=json). One HTML page without JavaScript that reads on a phone and in dark mode.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace httpserve {

struct RichEntry {
    std::string name;  // raw file-name bytes (usually UTF-8)
    bool is_dir = false;
    bool is_symlink = false;
    uint64_t size = 0;  // bytes; not shown for folders
    int64_t mtime = 0;  // seconds since the epoch, UTC
};

enum class RichSort { Name, Size, Time };

// What the query string asks for: ?sort=name|size|time, ?order=asc|desc, ?format=json (pairs split at
// & or ;). Anything else, or an unknown value, is the default: by name, ascending, HTML.
struct ListingQuery {
    RichSort sort = RichSort::Name;
    bool descending = false;
    bool json = false;
};
ListingQuery parse_listing_query(std::string_view query);

// Folders first, then by the query's key (names compared case-insensitively, ties by name).
void sort_rich(std::vector<RichEntry>& entries, const ListingQuery& query);

// `path` is the folder's decoded URL path ("/docs/"). Entries must be sorted already (sort_rich).
// Content-Type "text/html; charset=utf-8".
std::string render_rich_html(std::string_view path, const std::vector<RichEntry>& entries, const ListingQuery& query);
// {"path": ..., "entries": [{"name", "type" ("directory"|"file"), "symlink", "size", "modified"}]};
// names that are not UTF-8 carry U+FFFD for each bad sequence. Content-Type "application/json".
std::string render_rich_json(std::string_view path, const std::vector<RichEntry>& entries);

// "0 B", "999 B", "1.0 KiB", "12.3 MiB", "5 GiB" (three significant figures at most).
std::string human_size(uint64_t bytes);

}  // namespace httpserve
