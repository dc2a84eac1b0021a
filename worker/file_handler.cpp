#include "worker/file_handler.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <optional>
#include <cstdlib>

#include "worker/http/http_date.hpp"
#include "worker/static/conditional.hpp"
#include "worker/static/listing.hpp"
#include "worker/static/path_map.hpp"
#include "worker/static/range.hpp"

namespace httpserve {

namespace {

std::string realpath_or_empty(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) return {};
    return buf;
}

// True when `path` or any folder above it (up to `root`) is a symbolic link.
bool has_symlink_below(const std::string& root, const std::string& path) {
    struct stat st;
    std::string current = path;
    while (current.size() > root.size()) {
        if (::lstat(current.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) return true;
        auto slash = current.rfind('/');
        if (slash == std::string::npos) break;
        current.resize(slash);
    }
    return false;
}

std::optional<std::string_view> header_value(const http::Request& request, std::string_view name) {
    if (const http::Header* h = request.find(name)) return h->value;
    return std::nullopt;
}

}  // namespace

FileHandler::FileHandler(const FilesConfig& files, const MimeTable& mime)
    : files_(files), mime_(mime), root_(files.root) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
    if (root_ == "/") root_.clear();
    real_root_ = realpath_or_empty(root_.empty() ? "/" : root_);
}

bool FileHandler::path_allowed(const std::string& relative, const std::string& fs_path) const {
    if (files_.dotfiles == DotfilePolicy::Deny && has_dot_component(relative)) return false;
    switch (files_.symlinks) {
        case SymlinkPolicy::Follow:
            return true;
        case SymlinkPolicy::Never:
            return !has_symlink_below(root_, fs_path);
        case SymlinkPolicy::InsideRoot: {
            std::string real = realpath_or_empty(fs_path);
            if (real.empty()) return true;  // missing: the stat that follows answers 404
            if (real_root_ == "/") return true;
            return real == real_root_ ||
                   (real.size() > real_root_.size() && real.compare(0, real_root_.size(), real_root_) == 0 &&
                    real[real_root_.size()] == '/');
        }
    }
    return false;
}

Response FileHandler::handle(const http::Request& request, bool head) {
    // Python's open-redirect fix: the target loses extra leading slashes before anything else.
    std::string collapsed;
    std::string_view target = request.target;
    if (target.size() >= 2 && target[0] == '/' && target[1] == '/') {
        collapsed = collapse_leading_slashes(target);
        target = collapsed;
    }
    TargetParts parts = split_target(target);
    bool ok = true;
    MappedPath mapped = map_path(parts.path, &ok);
    if (!ok) return error_response(404, "File not found");

    std::string fs_path = root_;
    fs_path.push_back('/');
    fs_path.append(mapped.relative);
    if (!path_allowed(mapped.relative, fs_path)) return error_response(404, "File not found");

    struct stat st;
    if (::stat(fs_path.c_str(), &st) != 0) return error_response(404, "File not found");
    if (S_ISDIR(st.st_mode)) return serve_directory(fs_path, target, request, head, mapped.trailing_slash);
    if (mapped.trailing_slash) return error_response(404, "File not found");
    return serve_file(fs_path, request, head);
}

Response FileHandler::serve_directory(const std::string& fs_path, std::string_view target,
                                      const http::Request& request, bool head, bool trailing_slash) {
    if (!trailing_slash) {
        Response r;
        r.status = 301;
        r.add_header("Location", directory_redirect_location(target));
        r.content_length = 0;
        return r;
    }
    std::string base = fs_path;
    if (base.back() != '/') base.push_back('/');
    for (const std::string& index : files_.index_pages) {
        std::string candidate = base + index;
        struct stat st;
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            if (!path_allowed(index, candidate)) continue;
            return serve_file(candidate, request, head);
        }
    }
    if (!files_.directory_listing) return error_response(404, "No permission to list directory");
    return serve_listing(base, target);
}

Response FileHandler::serve_listing(const std::string& dir_path, std::string_view target) {
    DIR* dir = ::opendir(dir_path.c_str());
    if (dir == nullptr) return error_response(404, "No permission to list directory");
    std::vector<ListingEntry> entries;
    while (dirent* d = ::readdir(dir)) {
        std::string_view name = d->d_name;
        if (name == "." || name == "..") continue;
        if (files_.dotfiles == DotfilePolicy::Deny && name.front() == '.') continue;
        ListingEntry entry;
        entry.name = std::string(name);
        std::string full = dir_path + entry.name;
        struct stat st;
        if (::lstat(full.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) entry.is_symlink = true;
        entry.is_dir = ::stat(full.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
        entries.push_back(std::move(entry));
    }
    ::closedir(dir);
    sort_listing(entries);
    Response r;
    r.add_header("Content-Type", "text/html; charset=utf-8");
    r.set_memory_body(render_listing(target, entries));
    return r;
}

Response FileHandler::serve_file(const std::string& fs_path, const http::Request& request, bool head) {
    auto file = std::make_shared<UniqueFd>(::open(fs_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!*file) return error_response(404, "File not found");
    struct stat st;
    if (::fstat(file->get(), &st) != 0 || !S_ISREG(st.st_mode)) return error_response(404, "File not found");

    const uint64_t size = static_cast<uint64_t>(st.st_size);
    Validators validators{make_etag(st.st_mtim.tv_sec, st.st_mtim.tv_nsec, size), st.st_mtim.tv_sec};
    std::string last_modified = http::format_http_date(st.st_mtim.tv_sec);

    ConditionalHeaders conditions{header_value(request, "If-Match"), header_value(request, "If-None-Match"),
                                  header_value(request, "If-Modified-Since"),
                                  header_value(request, "If-Unmodified-Since")};
    switch (evaluate_preconditions(conditions, validators, true)) {
        case Precondition::NotModified: {
            Response r = error_response(304);
            r.add_header("ETag", validators.etag);
            return r;
        }
        case Precondition::Failed:
            return error_response(412);
        case Precondition::Proceed:
            break;
    }

    std::string_view content_type = mime_.lookup(fs_path);
    Response r;
    r.add_header("Content-Type", content_type);
    r.add_header("Last-Modified", last_modified);
    r.add_header("ETag", validators.etag);
    r.add_header("Accept-Ranges", "bytes");

    std::vector<ByteRange> ranges{ByteRange{0, size ? size - 1 : 0}};
    bool whole = true;
    if (auto range_header = header_value(request, "Range"); range_header && request.method == "GET") {
        auto if_range = header_value(request, "If-Range");
        if (!if_range || if_range_matches(*if_range, validators)) {
            RangeRequest rr = parse_range(*range_header, size);
            if (rr.outcome == RangeOutcome::Unsatisfiable) {
                Response e = error_response(416);
                e.add_header("Content-Range", "bytes */" + std::to_string(size));
                return e;
            }
            if (rr.outcome == RangeOutcome::Satisfiable) {
                ranges = std::move(rr.ranges);
                whole = false;
            }
        }
    }

    if (whole || ranges.size() == 1) {
        const ByteRange range = ranges.front();
        const uint64_t length = size == 0 ? 0 : range.length();
        if (!whole) {
            r.status = 206;
            r.add_header("Content-Range", content_range(range, size));
        }
        r.content_length = length;
        if (head || length == 0) return r;
        OutChunk chunk;
        if (length <= inline_file_limit) {
            // Small: read now, so head and body leave in one write.
            chunk.mem.resize(length);
            ssize_t got = ::pread(file->get(), chunk.mem.data(), length, static_cast<off_t>(range.first));
            if (got != static_cast<ssize_t>(length)) return error_response(404, "File not found");
        } else {
            chunk.file = file;
            chunk.offset = range.first;
            chunk.length = length;
        }
        r.body.push_back(std::move(chunk));
        return r;
    }

    // Several ranges: multipart/byteranges.
    char boundary[40];
    std::snprintf(boundary, sizeof boundary, "httpserve%08x%016llx", static_cast<unsigned>(::getpid()),
                  static_cast<unsigned long long>(++boundary_counter_));
    r.status = 206;
    r.headers.clear();
    r.add_header("Content-Type", std::string("multipart/byteranges; boundary=") + boundary);
    r.add_header("Last-Modified", last_modified);
    r.add_header("ETag", validators.etag);
    r.add_header("Accept-Ranges", "bytes");
    uint64_t total = 0;
    for (const ByteRange& range : ranges) {
        OutChunk chunk;
        chunk.mem = multipart_part_head(boundary, content_type, range, size);
        chunk.file = file;
        chunk.offset = range.first;
        chunk.length = range.length();
        total += chunk.mem.size() + chunk.length;
        r.body.push_back(std::move(chunk));
    }
    OutChunk end;
    end.mem = multipart_end(boundary);
    total += end.mem.size();
    r.body.push_back(std::move(end));
    r.content_length = total;
    if (head) r.body.clear();
    return r;
}

}  // namespace httpserve
