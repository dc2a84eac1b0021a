// GET and HEAD on the served folder: files (ranges, validators), index pages, listings, redirects.
// Python's send_head decision order, then what RFC 9110 adds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "worker/http/request_parser.hpp"
#include "worker/response.hpp"
#include "worker/static/mime.hpp"

namespace httpserve {

class FileHandler {
public:
    FileHandler(const FilesConfig& files, const MimeTable& mime);

    // `head`: the method is HEAD (same headers, no body).
    Response handle(const http::Request& request, bool head);

    // Files up to this size are read into memory and sent with the head in one write.
    static constexpr uint64_t inline_file_limit = 64 * 1024;

private:
    Response serve_directory(const std::string& fs_path, std::string_view target,
                             const http::Request& request, bool head, bool trailing_slash);
    Response serve_file(const std::string& fs_path, const http::Request& request, bool head);
    Response serve_listing(const std::string& fs_path, std::string_view target);
    bool path_allowed(const std::string& relative, const std::string& fs_path) const;

    const FilesConfig& files_;
    const MimeTable& mime_;
    std::string root_;           // files.root without a trailing slash
    std::string real_root_;      // realpath(root), for symlinks = "inside-root"
    uint64_t boundary_counter_ = 0;
};

}  // namespace httpserve
