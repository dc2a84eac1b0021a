// GET and HEAD on the served folder: files (ranges, validators), index pages, listings, redirects.
// Python's send_head decision order, then what RFC 9110 adds.
#pragma once

#include <sys/stat.h>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "worker/file_cache.hpp"
#include "worker/http/request_parser.hpp"
#include "worker/path_policy.hpp"
#include "worker/response.hpp"
#include "worker/static/mime.hpp"
#include "worker/static/rich_listing.hpp"

namespace httpserve {

class FileHandler {
public:
    FileHandler(const FilesConfig& files, const MimeTable& mime);

    // `head`: the method is HEAD (same headers, no body).
    Response handle(const http::Request& request, bool head);

    // The file cache's inotify descriptor (-1 without one) and what to do when it is readable.
    int watch_fd() const { return cache_.watch_fd(); }
    // The dotfiles and symlinks rules it applies, for CGI scripts to meet the same.
    const PathPolicy& path_policy() const { return policy_; }
    void read_file_changes() { cache_.read_changes(); }

    // Files up to this size are read into memory and sent with the head in one write.
    static constexpr uint64_t inline_file_limit = 64 * 1024;

    // What answering needs to know about one regular file, cached or not.
    struct FileView {
        uint64_t size = 0;
        std::string_view etag;
        std::time_t mtime = 0;
        std::string_view last_modified;
        std::string_view content_type;
        std::string_view headers;              // pre-rendered, when cached
        const std::string* content = nullptr;  // the bytes, when cached
        std::shared_ptr<UniqueFd> fd;          // otherwise: the open file
        std::string_view content_encoding;     // a precompressed sidecar's coding ("br"), else ""
        bool vary = false;                     // other variants may exist: Vary: Accept-Encoding
    };

private:
    Response serve_directory(const std::string& fs_path, std::string_view target, const http::Request& request,
                             bool head, bool trailing_slash);
    // A path known to exist and not to be a directory; `st`: its stat() when it is not cached.
    // `relative`: what the dotfile rule saw of it.
    Response serve_path(const std::string& fs_path, std::string_view relative, const CachedFile* cached,
                        const struct stat& st, const http::Request& request, bool head);
    // Precompressed sidecars (worker/file_handler_precompressed.cpp): the best one the client
    // accepts that is usable, answered; nullopt: none, send the file itself.
    std::optional<Response> serve_sidecar(const std::string& fs_path, std::string_view relative, const timespec& mtime,
                                          std::string_view content_type, const http::Request& request, bool head);
    Response serve_file(const FileView& file, const http::Request& request, bool head);
    Response serve_listing(const std::string& fs_path, std::string_view target);
    Response rich_listing(std::vector<RichEntry> entries, std::string_view target);

    const FilesConfig& files_;
    const MimeTable& mime_;
    PathPolicy policy_;
    std::string root_;  // files.root without a trailing slash
    uint64_t boundary_counter_ = 0;
    FileCache cache_;
};

}  // namespace httpserve
