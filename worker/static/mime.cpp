// Media types by extension: Python's mimetypes database (3.14/3.15) plus SimpleHTTPRequestHandler's rules.
#include "worker/static/mime.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <utility>

namespace httpserve {

namespace {

struct ExtType {
    std::string_view ext;
    std::string_view type;
};

// mimetypes._types_map_default of CPython's main branch (3.15 development, which has the 3.14 table:
// fonts, Matroska, OpenDocument/OOXML, YAML, more image types, .avi video/vnd.avi, .wav
// audio/vnd.wave). The strict table; the non-strict common_types are not used by guess_type. Copied
// from the source, not edited: application/xml for .xml only comes from the system's mime.types.
constexpr ExtType kBuiltin[] = {
    {".3g2", "audio/3gpp2"},
    {".3gp", "audio/3gpp"},
    {".3gpp", "audio/3gpp"},
    {".3gpp2", "audio/3gpp2"},
    {".7z", "application/x-7z-compressed"},  // new since 3.13
    {".a", "application/octet-stream"},
    {".aac", "audio/aac"},
    {".adts", "audio/aac"},
    {".ai", "application/postscript"},
    {".aif", "audio/x-aiff"},
    {".aifc", "audio/x-aiff"},
    {".aiff", "audio/x-aiff"},
    {".ass", "audio/aac"},
    {".au", "audio/basic"},
    {".avi", "video/vnd.avi"},  // 3.13: video/x-msvideo
    {".avif", "image/avif"},
    {".bat", "text/plain"},
    {".bcpio", "application/x-bcpio"},
    {".bin", "application/octet-stream"},
    {".bmp", "image/bmp"},
    {".c", "text/plain"},
    {".cdf", "application/x-netcdf"},
    {".cpio", "application/x-cpio"},
    {".csh", "application/x-csh"},
    {".css", "text/css"},
    {".csv", "text/csv"},
    {".deb", "application/x-debian-package"},  // new since 3.13
    {".dll", "application/octet-stream"},
    {".doc", "application/msword"},
    {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},  // new since 3.13
    {".dot", "application/msword"},
    {".dvi", "application/x-dvi"},
    {".emf", "image/emf"},  // new since 3.13
    {".eml", "message/rfc822"},
    {".eot", "application/vnd.ms-fontobject"},  // new since 3.13
    {".eps", "application/postscript"},
    {".epub", "application/epub+zip"},  // new since 3.13
    {".etx", "text/x-setext"},
    {".exe", "application/octet-stream"},
    {".fits", "image/fits"},  // new since 3.13
    {".flac", "audio/flac"},  // new since 3.13
    {".g3", "image/g3fax"},   // new since 3.13
    {".gif", "image/gif"},
    {".glb", "model/gltf-binary"},  // new since 3.13
    {".gltf", "model/gltf+json"},   // new since 3.13
    {".gtar", "application/x-gtar"},
    {".gz", "application/gzip"},  // new since 3.13; SimpleHTTPRequestHandler's own map answers .gz first
    {".h", "text/plain"},
    {".h5", "application/x-hdf5"},
    {".hdf", "application/x-hdf"},
    {".heic", "image/heic"},
    {".heif", "image/heif"},
    {".htm", "text/html"},
    {".html", "text/html"},
    {".ico", "image/vnd.microsoft.icon"},
    {".ief", "image/ief"},
    {".jp2", "image/jp2"},  // new since 3.13
    {".jpe", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".jpg", "image/jpeg"},
    {".jpm", "image/jpm"},       // new since 3.13
    {".jpx", "image/jpx"},       // new since 3.13
    {".js", "text/javascript"},  // 3.11: application/javascript
    {".json", "application/json"},
    {".ksh", "text/plain"},
    {".latex", "application/x-latex"},
    {".loas", "audio/aac"},
    {".m1v", "video/mpeg"},
    {".m3u", "application/vnd.apple.mpegurl"},
    {".m3u8", "application/vnd.apple.mpegurl"},
    {".m4a", "audio/mp4"},    // new since 3.13
    {".m4v", "video/x-m4v"},  // new since 3.13
    {".man", "application/x-troff-man"},
    {".markdown", "text/markdown"},  // new in 3.13
    {".md", "text/markdown"},        // new in 3.13
    {".me", "application/x-troff-me"},
    {".mht", "message/rfc822"},
    {".mhtml", "message/rfc822"},
    {".mif", "application/x-mif"},
    {".mjs", "text/javascript"},     // 3.11: application/javascript
    {".mk3d", "video/matroska-3d"},  // new since 3.13
    {".mka", "audio/matroska"},      // new since 3.13
    {".mkv", "video/matroska"},      // new since 3.13
    {".mov", "video/quicktime"},
    {".movie", "video/x-sgi-movie"},
    {".mp2", "audio/mpeg"},
    {".mp3", "audio/mpeg"},
    {".mp4", "video/mp4"},
    {".mpa", "video/mpeg"},
    {".mpe", "video/mpeg"},
    {".mpeg", "video/mpeg"},
    {".mpg", "video/mpeg"},
    {".ms", "application/x-troff-ms"},
    {".n3", "text/n3"},
    {".nc", "application/x-netcdf"},
    {".nq", "application/n-quads"},
    {".nt", "application/n-triples"},
    {".nws", "message/rfc822"},
    {".o", "application/octet-stream"},
    {".obj", "application/octet-stream"},
    {".oda", "application/oda"},
    {".odg", "application/vnd.oasis.opendocument.graphics"},      // new since 3.13
    {".odp", "application/vnd.oasis.opendocument.presentation"},  // new since 3.13
    {".ods", "application/vnd.oasis.opendocument.spreadsheet"},   // new since 3.13
    {".odt", "application/vnd.oasis.opendocument.text"},          // new since 3.13
    {".ogg", "audio/ogg"},                                        // new since 3.13
    {".ogv", "video/ogg"},                                        // new since 3.13
    {".ogx", "application/ogg"},                                  // new since 3.13
    {".opus", "audio/opus"},
    {".otf", "font/otf"},  // new since 3.13
    {".p12", "application/x-pkcs12"},
    {".p7c", "application/pkcs7-mime"},
    {".pbm", "image/x-portable-bitmap"},
    {".pdf", "application/pdf"},
    {".pfx", "application/x-pkcs12"},
    {".pgm", "image/x-portable-graymap"},
    {".php", "application/x-httpd-php"},  // new since 3.13
    {".pl", "text/plain"},
    {".png", "image/png"},
    {".pnm", "image/x-portable-anymap"},
    {".pot", "application/vnd.ms-powerpoint"},
    {".ppa", "application/vnd.ms-powerpoint"},
    {".ppm", "image/x-portable-pixmap"},
    {".pps", "application/vnd.ms-powerpoint"},
    {".ppt", "application/vnd.ms-powerpoint"},
    {".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},  // new since 3.13
    {".ps", "application/postscript"},
    {".pwz", "application/vnd.ms-powerpoint"},
    {".py", "text/x-python"},
    {".pyc", "application/x-python-code"},
    {".pyo", "application/x-python-code"},
    {".qt", "video/quicktime"},
    {".ra", "audio/x-pn-realaudio"},
    {".ram", "application/x-pn-realaudio"},
    {".rar", "application/vnd.rar"},  // new since 3.13
    {".ras", "image/x-cmu-raster"},
    {".rdf", "application/xml"},
    {".rgb", "image/x-rgb"},
    {".roff", "application/x-troff"},
    {".rpm", "application/x-rpm"},  // new since 3.13
    {".rst", "text/x-rst"},         // new in 3.13
    {".rtf", "text/rtf"},           // new in 3.13 (3.11: non-strict application/rtf only)
    {".rtx", "text/richtext"},
    {".sgm", "text/x-sgml"},
    {".sgml", "text/x-sgml"},
    {".sh", "application/x-sh"},
    {".shar", "application/x-shar"},
    {".snd", "audio/basic"},
    {".so", "application/octet-stream"},
    {".src", "application/x-wais-source"},
    {".srt", "text/plain"},
    {".stl", "model/stl"},  // new since 3.13
    {".sv4cpio", "application/x-sv4cpio"},
    {".sv4crc", "application/x-sv4crc"},
    {".svg", "image/svg+xml"},
    {".swf", "application/x-shockwave-flash"},
    {".t", "application/x-troff"},
    {".t38", "image/t38"},  // new since 3.13
    {".tar", "application/x-tar"},
    {".tcl", "application/x-tcl"},
    {".tex", "application/x-tex"},
    {".texi", "application/x-texinfo"},
    {".texinfo", "application/x-texinfo"},
    {".tfx", "image/tiff-fx"},  // new since 3.13
    {".tif", "image/tiff"},
    {".tiff", "image/tiff"},
    {".tr", "application/x-troff"},
    {".trig", "application/trig"},
    {".tsv", "text/tab-separated-values"},
    {".ttf", "font/ttf"},  // new since 3.13
    {".txt", "text/plain"},
    {".ustar", "application/x-ustar"},
    {".vcf", "text/x-vcard"},
    {".vtt", "text/vtt"},
    {".wasm", "application/wasm"},
    {".wav", "audio/vnd.wave"},  // 3.13: audio/x-wav
    {".weba", "audio/webm"},     // new since 3.13
    {".webm", "video/webm"},
    {".webmanifest", "application/manifest+json"},
    {".webp", "image/webp"},  // new in 3.13 (3.11: non-strict only)
    {".wiz", "application/msword"},
    {".wmf", "image/wmf"},       // new since 3.13
    {".wmv", "video/x-ms-wmv"},  // new since 3.13
    {".woff", "font/woff"},      // new since 3.13
    {".woff2", "font/woff2"},    // new since 3.13
    {".wsdl", "application/xml"},
    {".xbm", "image/x-xbitmap"},
    {".xlb", "application/vnd.ms-excel"},
    {".xls", "application/vnd.ms-excel"},
    {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},  // new since 3.13
    {".xml", "text/xml"},
    {".xpdl", "application/xml"},
    {".xpm", "image/x-xpixmap"},
    {".xsl", "application/xml"},
    {".xwd", "image/x-xwindowdump"},
    {".yaml", "application/yaml"},  // new since 3.13
    {".yml", "application/yaml"},   // new since 3.13
    {".zip", "application/zip"},
};

// SimpleHTTPRequestHandler.extensions_map: checked before mimetypes, exactly then lower-cased.
constexpr ExtType kPythonOverrides[] = {
    {".gz", "application/gzip"},
    {".Z", "application/octet-stream"},
    {".bz2", "application/x-bzip2"},
    {".xz", "application/x-xz"},
};

// mimetypes.suffix_map rewrites these (lower-cased) before the lookup, and the encoding suffix the
// rewrite produces (.gz .bz2 .xz) is then stripped: "x.tgz" is typed as "x.tar". The answer does
// not depend on the rest of the name, so it is resolved once when the table is built.
constexpr std::pair<std::string_view, std::string_view> kSuffixMap[] = {
    {".svgz", ".svg"}, {".tgz", ".tar"}, {".taz", ".tar"}, {".tz", ".tar"}, {".tbz2", ".tar"}, {".txz", ".tar"},
};

// mimetypes.encodings_map's only entry that no handler override catches first. Case-sensitive.
constexpr std::string_view kBrotliSuffix = ".br";

// After stripping ".br", mimetypes looks the inner extension up (lower-cased) in its own table, which
// has neither the handler overrides nor the suffix_map rewrites. The few extensions those change keep
// their plain mimetypes answer under "br" + ext, a key no extension (always starting with '.') can hit.
constexpr std::string_view kBrotliInnerPrefix = "br";
constexpr std::string_view kRewrittenExts[] = {".gz", ".bz2", ".xz", ".svgz", ".tgz", ".taz", ".tz", ".tbz2", ".txz"};

bool has_upper_ascii(std::string_view s) {
    for (char c : s)
        if (c >= 'A' && c <= 'Z') return true;
    return false;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// mimetypes.MimeTypes.read: "type ext1 ext2 ...", a word starting with '#' ends the line, later
// lines win. Python lower-cases the extension it looks up but not the ones it reads, so an entry
// with upper-case letters ("AMR", "teiCorpus" in Debian's file) can never match: leave it out.
void read_types_file(const std::string& file, std::unordered_map<std::string, std::string>& map) {
    std::ifstream in(file);
    if (!in) return;
    std::string line;
    while (std::getline(in, line)) {
        std::string_view rest = line;
        std::string_view type;
        bool first = true;
        while (true) {
            while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
            if (rest.empty() || rest.front() == '#') break;
            size_t end = 0;
            while (end < rest.size() && !is_space(rest[end])) ++end;
            const std::string_view word = rest.substr(0, end);
            rest.remove_prefix(end);
            if (first) {
                type = word;
                first = false;
            } else if (!has_upper_ascii(word)) {
                std::string ext;
                ext.reserve(word.size() + 1);
                ext.push_back('.');
                ext.append(word);
                map.insert_or_assign(std::move(ext), std::string(type));
            }
        }
    }
}

void fill_table(std::unordered_map<std::string, std::string>& map, const std::string* types_file) {
    map.reserve(std::size(kBuiltin) + 1024);
    for (const auto& [ext, type] : kBuiltin) map.insert_or_assign(std::string(ext), std::string(type));
    if (types_file) read_types_file(*types_file, map);
    for (std::string_view ext : kRewrittenExts)
        if (const auto it = map.find(std::string(ext)); it != map.end())
            map.insert_or_assign(std::string(kBrotliInnerPrefix) + std::string(ext), it->second);
    for (const auto& [from, to] : kSuffixMap) {
        const auto it = map.find(std::string(to));
        if (it != map.end()) map.insert_or_assign(std::string(from), it->second);
        else map.erase(std::string(from));
    }
    // Python strips ".br" as an encoding before it ever looks it up; only a config override (set
    // later) may type it.
    map.erase(std::string(kBrotliSuffix));
    for (const auto& [ext, type] : kPythonOverrides) map.insert_or_assign(std::string(ext), std::string(type));
}

// posixpath.splitext on the last component: the extension starts at the last '.', unless all that
// precedes it in the component is dots (".bashrc", "..a" have none). "a." -> ".".
std::string_view extension_of(std::string_view path) {
    const size_t slash = path.rfind('/');
    const size_t start = slash == std::string_view::npos ? 0 : slash + 1;
    const size_t dot = path.rfind('.');
    if (dot == std::string_view::npos || dot < start) return {};
    for (size_t i = start; i < dot; ++i)
        if (path[i] != '.') return path.substr(dot);
    return {};
}

// Removes the extension (posixpath.splitext's base).
std::string_view strip_extension(std::string_view path, std::string_view ext) {
    return path.substr(0, path.size() - ext.size());
}

// A lower-cased copy of an extension, on the stack when it is short, with room for a prefix.
class LowerBuffer {
public:
    LowerBuffer(std::string_view text, size_t prefix_room) : room_(prefix_room), size_(text.size()) {
        char* p = small_;
        if (room_ + size_ > sizeof small_) {
            large_.resize(room_ + size_);
            p = large_.data();
        }
        for (size_t i = 0; i < size_; ++i)
            p[room_ + i] = (text[i] >= 'A' && text[i] <= 'Z') ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    }
    std::string_view view() const { return {data() + room_, size_}; }
    std::string_view with_prefix(std::string_view prefix) {  // prefix.size() must be prefix_room
        std::copy(prefix.begin(), prefix.end(), data());
        return {data(), room_ + size_};
    }

private:
    char* data() { return large_.empty() ? small_ : large_.data(); }
    const char* data() const { return large_.empty() ? small_ : large_.data(); }

    char small_[32];
    std::string large_;
    size_t room_;
    size_t size_;
};

}  // namespace

MimeTable MimeTable::load(const MimeConfig& config) {
    MimeTable table;
    fill_table(table.by_ext_, config.types_file.empty() ? nullptr : &config.types_file);
    for (const auto& [ext, type] : config.types) table.set(ext, type);
    table.default_type_ = config.default_type;
    return table;
}

MimeTable MimeTable::builtin() {
    MimeTable table;
    fill_table(table.by_ext_, nullptr);
    return table;
}

void MimeTable::set(std::string ext, std::string type) { by_ext_.insert_or_assign(std::move(ext), std::move(type)); }

std::string_view MimeTable::lookup(std::string_view path) const {
    // Extensions are short: keys fit std::string's small buffer and the lower-cased copy a stack
    // buffer, so the common case allocates nothing.
    const auto find_exact = [this](std::string_view key) -> const std::string* {
        const auto it = by_ext_.find(std::string(key));
        return it == by_ext_.end() ? nullptr : &it->second;
    };
    const std::string_view ext = extension_of(path);
    if (ext.empty()) return default_type_;
    if (const std::string* type = find_exact(ext)) return *type;

    if (ext == kBrotliSuffix) {
        // "x.css.br" is typed by ".css" (mimetypes strips the encoding; it is not sent, like Python).
        const std::string_view inner = extension_of(strip_extension(path, ext));
        LowerBuffer lower(inner, kBrotliInnerPrefix.size());
        if (inner.empty()) return default_type_;
        const std::string_view lowered = lower.view();
        const bool rewritten =
            std::find(std::begin(kRewrittenExts), std::end(kRewrittenExts), lowered) != std::end(kRewrittenExts);
        const std::string* type = find_exact(rewritten ? lower.with_prefix(kBrotliInnerPrefix) : lowered);
        return type ? *type : default_type_;
    }

    if (!has_upper_ascii(ext)) return default_type_;
    LowerBuffer lower(ext, 0);
    const std::string* type = find_exact(lower.view());
    return type ? *type : default_type_;
}

}  // namespace httpserve
