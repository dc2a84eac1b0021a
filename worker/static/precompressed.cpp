#include "worker/static/precompressed.hpp"

namespace httpserve {

std::string_view sidecar_suffix(ContentCoding coding) {
    switch (coding) {
        case ContentCoding::Brotli: return ".br";
        case ContentCoding::Zstd: return ".zst";
        case ContentCoding::Gzip: return ".gz";
    }
    return "";
}

std::string_view content_coding_token(ContentCoding coding) {
    switch (coding) {
        case ContentCoding::Brotli: return "br";
        case ContentCoding::Zstd: return "zstd";
        case ContentCoding::Gzip: return "gzip";
    }
    return "";
}

std::optional<ContentCoding> sidecar_coding_of(std::string_view path) {
    for (const ContentCoding coding : {ContentCoding::Brotli, ContentCoding::Zstd, ContentCoding::Gzip}) {
        const std::string_view suffix = sidecar_suffix(coding);
        if (path.size() > suffix.size() && path.substr(path.size() - suffix.size()) == suffix) return coding;
    }
    return std::nullopt;
}

std::string coded_etag(std::string_view etag, ContentCoding coding) {
    std::string out(etag);
    const size_t at = !out.empty() && out.back() == '"' ? out.size() - 1 : out.size();
    out.insert(at, std::string("-") + std::string(content_coding_token(coding)));
    return out;
}

}  // namespace httpserve
