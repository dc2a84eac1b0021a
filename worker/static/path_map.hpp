// URL path -> file-system path under the root, with Python's translate_path rules (3.14).
#pragma once

#include <string>
#include <string_view>

namespace httpserve {

struct TargetParts {
    std::string_view path;      // raw (still percent-encoded), without query and fragment
    std::string_view query;     // after the first '?', without '?'; empty if none
    std::string_view fragment;  // after the first '#', without '#'
    bool has_query = false;
    bool has_fragment = false;
};

// Splits an origin-form target like urlsplit does for a path: fragment at the first '#', then the query
// at the first '?' of what is left. An absolute-form target ("http://host/p?q") is reduced to its path.
TargetParts split_target(std::string_view target);

// Python's "//" open-redirect fix: a path starting with "//" becomes "/" + path.lstrip('/').
std::string collapse_leading_slashes(std::string_view path);

// urllib.parse.unquote(s, errors='replace'): %XX sequences are decoded to bytes, and each run of
// decoded bytes that is not valid UTF-8 becomes U+FFFD per bad sequence as Python does. Literal
// (non-%) bytes >= 0x80 are taken as Latin-1 characters (Python decodes the request line as
// ISO-8859-1) and re-encoded as UTF-8.
std::string percent_decode(std::string_view s);

// What translate_path and list_directory actually do: unquote(s, errors='surrogatepass'), falling
// back to percent_decode when that raises, then encode for the file system (surrogateescape): an
// escaped surrogate U+DC80..U+DCFF (the %ED%B2%80..%ED%B3%BF links a listing gives undecodable
// names) becomes the raw byte 0x80..0xFF again. Other lone surrogates cannot be file-name bytes
// (Python fails on them) and become `unencodable`.
std::string percent_decode_path(std::string_view s, std::string_view unencodable = "\xEF\xBF\xBD");

struct MappedPath {
    std::string relative;         // "a/b.txt"; "" for the root itself; never contains "." or ".." parts
    bool trailing_slash = false;  // the decoded path ended with '/' (a trailing %2f counts, as 3.14)
};

// translate_path for the path part of a target (call split_target first): percent-decode once
// (percent_decode_path), normalise (//, ., a/..), drop components that are "", ".", ".."; the result
// can never climb above the root. A decoded NUL byte (or a lone surrogate that is no file-name byte)
// left in the result makes `ok` false and `relative` empty (answer 404 rather than touching the file
// system); like Python, "/a%00/../b" is just "b".
MappedPath map_path(std::string_view raw_path, bool* ok = nullptr);

// map_path for a path that is decoded already (a CGI script name): normalised the same way, never
// decoded again, so "%2f" in it stays three characters. A NUL makes `ok` false as in map_path.
MappedPath map_decoded_path(std::string_view decoded_path, bool* ok = nullptr);

// Location for a directory requested without its slash: raw path + "/" then "?query" and "#fragment"
// when present, as Python's urlunsplit gives. Unlike Python it never names another host than the
// target did: '\' in the path is sent as %5C, and no path can become "//host" (see the .cpp).
std::string directory_redirect_location(std::string_view target);

}  // namespace httpserve
