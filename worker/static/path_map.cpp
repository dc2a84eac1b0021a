// URL path -> relative file-system path, following SimpleHTTPRequestHandler.translate_path (3.14).
#include "worker/static/path_map.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include "common/ascii.hpp"
#include "common/escape.hpp"
#include "common/utf8.hpp"

namespace httpserve {

using namespace std::string_view_literals;

namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// Length of "http://" or "https://" (any case) at the start of `target`, else 0.
size_t absolute_form_prefix(std::string_view target) {
    for (std::string_view scheme : {"http://"sv, "https://"sv})
        if (target.size() >= scheme.size() && iequals_ascii(target.substr(0, scheme.size()), scheme))
            return scheme.size();
    return 0;
}

enum class Utf8Errors { Replace, SurrogatePass };

// out[mark..] holds the bytes one ASCII run decoded to; make them what Python's str holds, written
// as file-name bytes. Replace: each maximal bad subpart becomes U+FFFD. SurrogatePass: encoded
// surrogates are accepted (U+DC80..U+DCFF back to their byte, others -> `unencodable`), anything
// else ill-formed makes the whole decode fail (returns false), as the UnicodeDecodeError does.
bool fix_utf8(std::string& out, size_t mark, Utf8Errors mode, std::string_view unencodable) {
    size_t first_high = mark;
    while (first_high < out.size() && static_cast<unsigned char>(out[first_high]) < 0x80) ++first_high;
    if (first_high == out.size()) return true;  // plain ASCII: nothing to check

    if (mode == Utf8Errors::Replace) {
        // Replacements can grow the text, so rebuild from a copy (invalid input only).
        const std::string bytes = out.substr(first_high);
        out.resize(first_high);
        for (size_t i = 0; i < bytes.size();) {
            const Utf8Step step = decode_utf8(bytes, i);
            if (step.valid) out.append(bytes, i, step.length);
            else out.append(kReplacementChar);
            i += step.length;
        }
        return true;
    }

    // SurrogatePass never grows the text (3 bytes -> 1 byte or `unencodable`, at most 3), so it
    // works in place: `w` never passes `r`.
    size_t w = first_high, r = first_high;
    while (r < out.size()) {
        const Utf8Step step = decode_utf8(out, r, Utf8Surrogates::Accept);
        if (!step.valid) return false;
        const char32_t c = step.code_point;
        if (c < 0xD800 || c > 0xDFFF) {
            std::copy_n(out.begin() + static_cast<std::ptrdiff_t>(r), step.length,
                        out.begin() + static_cast<std::ptrdiff_t>(w));
            w += step.length;
        } else if (c >= 0xDC80 && c <= 0xDCFF) {
            out[w++] = static_cast<char>(c & 0xFF);  // surrogateescape'd byte
        } else {
            std::copy(unencodable.begin(), unencodable.end(), out.begin() + static_cast<std::ptrdiff_t>(w));
            w += unencodable.size();
        }
        r += step.length;
    }
    out.resize(w);
    return true;
}

// urllib.parse.unquote(s, errors=mode) into `out`. Python splits the text into ASCII runs, which
// are %-decoded to bytes and UTF-8 decoded, and non-ASCII characters, which are kept: here each
// raw byte >= 0x80 is the Latin-1 character of the request line, written as UTF-8.
bool unquote_into(std::string_view s, std::string& out, Utf8Errors mode, std::string_view unencodable) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            append_utf8(out, c);
            ++i;
            continue;
        }
        const size_t mark = out.size();
        for (; i < s.size() && static_cast<unsigned char>(s[i]) < 0x80; ++i) {
            int h = -1, l = -1;
            if (s[i] == '%' && i + 2 < s.size()) {
                h = hex_digit_value(s[i + 1]);
                l = hex_digit_value(s[i + 2]);
            }
            if (h >= 0 && l >= 0) {
                out.push_back(static_cast<char>(h * 16 + l));
                i += 2;
            } else {
                out.push_back(s[i]);  // a '%' without two hex digits stays as it is
            }
        }
        if (!fix_utf8(out, mark, mode, unencodable)) return false;
    }
    return true;
}

bool needs_decoding(std::string_view s) {
    for (char c : s)
        if (c == '%' || static_cast<unsigned char>(c) >= 0x80) return true;
    return false;
}

// posixpath.normpath followed by translate_path's component filter, in place: components "", "."
// and ".." go, and ".." also removes the component before it (none left at the root: it cannot
// climb). The result is the surviving components joined with '/', no leading or trailing '/'.
// Written output never overtakes the input being read, so the copy is safe.
void normalise_in_place(std::string& s) {
    size_t w = 0;  // end of the output so far
    size_t i = 0;
    const size_t n = s.size();
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != '/') ++j;
        const size_t len = j - i;
        if (len == 0 || (len == 1 && s[i] == '.')) {
            // skip
        } else if (len == 2 && s[i] == '.' && s[i + 1] == '.') {
            while (w > 0 && s[w - 1] != '/') --w;  // drop the last component...
            if (w > 0) --w;                        // ...and its separator
        } else {
            if (w > 0) s[w++] = '/';
            std::copy(s.begin() + static_cast<std::ptrdiff_t>(i), s.begin() + static_cast<std::ptrdiff_t>(j),
                      s.begin() + static_cast<std::ptrdiff_t>(w));
            w += len;
        }
        i = j + 1;
    }
    s.resize(w);
}

}  // namespace

TargetParts split_target(std::string_view target) {
    TargetParts parts;
    std::string_view rest = target;
    const size_t prefix = absolute_form_prefix(target);
    if (prefix != 0) {
        const size_t path_start = target.find_first_of("/?#", prefix);
        rest = path_start == std::string_view::npos ? std::string_view() : target.substr(path_start);
    }
    if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
        parts.fragment = rest.substr(hash + 1);
        parts.has_fragment = true;
        rest = rest.substr(0, hash);
    }
    if (const size_t q = rest.find('?'); q != std::string_view::npos) {
        parts.query = rest.substr(q + 1);
        parts.has_query = true;
        rest = rest.substr(0, q);
    }
    parts.path = rest;
    if (prefix != 0 && parts.path.empty()) parts.path = "/"sv;  // "http://host" means the root
    return parts;
}

std::string collapse_leading_slashes(std::string_view path) {
    if (path.size() < 2 || path[0] != '/' || path[1] != '/') return std::string(path);
    const size_t first = path.find_first_not_of('/');
    std::string out = "/";
    if (first != std::string_view::npos) out.append(path.substr(first));
    return out;
}

std::string percent_decode(std::string_view s) {
    if (!needs_decoding(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 8);
    unquote_into(s, out, Utf8Errors::Replace, kReplacementChar);
    return out;
}

std::string percent_decode_path(std::string_view s, std::string_view unencodable) {
    if (!needs_decoding(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 8);
    if (!unquote_into(s, out, Utf8Errors::SurrogatePass, unencodable)) {
        out.clear();
        unquote_into(s, out, Utf8Errors::Replace, kReplacementChar);
    }
    return out;
}

namespace {

MappedPath normalised(std::string path, bool* ok) {
    MappedPath mapped;
    mapped.relative = std::move(path);
    mapped.trailing_slash = !mapped.relative.empty() && mapped.relative.back() == '/';
    normalise_in_place(mapped.relative);
    // Python only fails when the NUL survives normalisation ("/a%00/../b" serves b).
    const bool good = mapped.relative.find('\0') == std::string::npos;
    if (!good) mapped.relative.clear();
    if (ok) *ok = good;
    return mapped;
}

}  // namespace

MappedPath map_path(std::string_view raw_path, bool* ok) {
    // A lone surrogate that is not a file-name byte must not reach the file system either: mark it
    // with NUL, which is rejected together with a real %00.
    return normalised(percent_decode_path(raw_path, "\0"sv), ok);
}

MappedPath map_decoded_path(std::string_view decoded_path, bool* ok) {
    return normalised(std::string(decoded_path), ok);
}

std::string directory_redirect_location(std::string_view target) {
    // Python: urlunsplit((scheme, netloc, path + '/', query, fragment)) of urlsplit(self.path).
    // Three guards keep a Location from pointing at another host where Python's can (a directory
    // is all it takes: "/\evil.example/.." maps to the root):
    //  - urlsplit's strip of leading C0 controls and spaces and its removal of tabs and line breaks
    //    come before the "//" fix, so no path can turn into a network-path reference ("//host");
    //  - '\' in the path is sent as %5C: browsers read "/\host" as "//host" (it decodes back to the
    //    same directory here);
    //  - http(s)/ws(s)/ftp/file with an empty authority ("http:///evil.example/..") keeps only the
    //    path, with its leading slashes collapsed, since browsers skip extra slashes and take the
    //    next segment as the host.
    std::string_view trimmed = target;
    while (!trimmed.empty() && static_cast<unsigned char>(trimmed[0]) <= 0x20) trimmed.remove_prefix(1);
    std::string stripped(trimmed);
    std::erase_if(stripped, [](char c) { return c == '\t' || c == '\r' || c == '\n'; });
    const std::string url = collapse_leading_slashes(stripped);

    // urllib.parse.urlsplit
    std::string_view rest = url;
    std::string scheme;
    if (const size_t colon = rest.find(':');
        colon != std::string_view::npos && colon > 0 &&
        ((rest[0] >= 'a' && rest[0] <= 'z') || (rest[0] >= 'A' && rest[0] <= 'Z'))) {
        const std::string_view candidate = rest.substr(0, colon);
        const bool valid = std::all_of(candidate.begin(), candidate.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
                   c == '.';
        });
        if (valid) {
            for (char c : candidate) scheme.push_back(ascii_lower(c));
            rest.remove_prefix(colon + 1);
        }
    }
    std::string_view netloc;
    if (rest.substr(0, 2) == "//") {
        const size_t end = rest.find_first_of("/?#", 2);
        netloc = rest.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
    std::string_view fragment, query;
    if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
        fragment = rest.substr(hash + 1);
        rest = rest.substr(0, hash);
    }
    if (const size_t q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }

    // path + '/', with the backslashes encoded
    std::string path;
    path.reserve(rest.size() + 1);
    for (char c : rest) {
        if (c == '\\') path.append("%5C");
        else path.push_back(c);
    }
    path.push_back('/');

    static constexpr std::array<std::string_view, 6> special_schemes = {"http"sv, "https"sv, "ws"sv,
                                                                        "wss"sv,  "ftp"sv,   "file"sv};
    const bool is_special = std::find(special_schemes.begin(), special_schemes.end(), scheme) != special_schemes.end();
    if (is_special && netloc.empty()) {
        scheme.clear();
        // "http:https://evil.example/.." must not become a URL with a scheme of its own.
        const std::string_view first_segment = std::string_view(path).substr(0, path.find('/'));
        if (first_segment.find(':') != std::string_view::npos) path.insert(0, "./");
    }
    // Without an authority the path must not start with "//": "http:////evil.example/..", and the
    // root ("/" + "/", never redirected anyway).
    if (scheme.empty() && netloc.empty()) path = collapse_leading_slashes(path);

    // urllib.parse.urlunsplit (3.13)
    static constexpr std::array<std::string_view, 27> uses_netloc = {
        ""sv,     "ftp"sv,   "http"sv,    "gopher"sv, "nntp"sv,  "telnet"sv,       "imap"sv,
        "wais"sv, "file"sv,  "mms"sv,     "https"sv,  "shttp"sv, "snews"sv,        "prospero"sv,
        "rtsp"sv, "rtsps"sv, "rtspu"sv,   "rsync"sv,  "svn"sv,   "svn+ssh"sv,      "sftp"sv,
        "nfs"sv,  "git"sv,   "git+ssh"sv, "ws"sv,     "wss"sv,   "itms-services"sv};
    std::string out;
    out.reserve(scheme.size() + netloc.size() + path.size() + query.size() + fragment.size() + 8);
    if (!scheme.empty()) {
        out.append(scheme);
        out.push_back(':');
    }
    if (!netloc.empty()) {
        out.append("//");
        out.append(netloc);
        if (path[0] != '/') out.push_back('/');
    } else if (path.size() >= 2 && path[0] == '/' && path[1] == '/') {
        out.append("//");  // only after a scheme that is not special: "x:////a" stays as it is
    } else if (!scheme.empty() && path[0] == '/' &&
               std::find(uses_netloc.begin(), uses_netloc.end(), scheme) != uses_netloc.end()) {
        out.append("//");
    }
    out.append(path);
    if (!query.empty()) {
        out.push_back('?');
        out.append(query);
    }
    if (!fragment.empty()) {
        out.push_back('#');
        out.append(fragment);
    }
    return out;
}

}  // namespace httpserve
