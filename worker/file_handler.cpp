#include "worker/file_handler.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>

#include "worker/http/http_date.hpp"
#include "worker/static/conditional.hpp"
#include "worker/static/listing.hpp"
#include "worker/static/path_map.hpp"
#include "worker/static/precompressed.hpp"
#include "worker/static/range.hpp"

namespace httpserve {

namespace {

std::optional<std::string_view> header_value(const http::Request& request, std::string_view name) {
    if (const http::Header* h = request.find(name)) return h->value;
    return std::nullopt;
}

// The folder's entries, as the listing shows them: no "." and "..", no dotfiles when they are
// denied. `details` adds each entry's size and modification time (a stat() per entry, which the
// Python listing does without).
std::optional<std::vector<RichEntry>> read_folder(const std::string& dir_path, DotfilePolicy dotfiles, bool details) {
    DIR* dir = ::opendir(dir_path.c_str());
    if (dir == nullptr) return std::nullopt;
    std::vector<RichEntry> entries;
    while (dirent* d = ::readdir(dir)) {
        std::string_view name = d->d_name;
        if (name == "." || name == "..") continue;
        if (dotfiles == DotfilePolicy::Deny && name.front() == '.') continue;
        RichEntry entry;
        entry.name = std::string(name);
        // d_type spares a stat() per entry; links (and file systems without d_type) need one.
        struct stat st;
        const bool unknown = d->d_type == DT_UNKNOWN;
        if (d->d_type == DT_LNK) entry.is_symlink = true;
        if (unknown) {
            entry.is_symlink = ::fstatat(::dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
        }
        if (details || entry.is_symlink || unknown) {
            // stat() follows links: a link to a folder is a folder; a broken one shows as itself.
            const bool found = ::fstatat(::dirfd(dir), d->d_name, &st, 0) == 0 ||
                               (details && ::fstatat(::dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0);
            entry.is_dir = found && S_ISDIR(st.st_mode);
            if (found && details) {
                entry.size = static_cast<uint64_t>(st.st_size);
                entry.mtime = st.st_mtim.tv_sec;
            }
        } else {
            entry.is_dir = d->d_type == DT_DIR;
        }
        entries.push_back(std::move(entry));
    }
    ::closedir(dir);
    return entries;
}

}  // namespace

FileHandler::FileHandler(const FilesConfig& files, const MimeTable& mime)
    : files_(files), mime_(mime), policy_(files), root_(policy_.root()), cache_(mime) {}

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
    if (!policy_.allows(mapped.relative, fs_path)) return error_response(404, "File not found");

    struct stat st {};
    bool not_cacheable = false;
    const CachedFile* cached = cache_.lookup(fs_path, &st, &not_cacheable);
    if (!cached && !not_cacheable) return error_response(404, "File not found");
    if (!cached && S_ISDIR(st.st_mode)) return serve_directory(fs_path, target, request, head, mapped.trailing_slash);
    if (mapped.trailing_slash) return error_response(404, "File not found");
    return serve_path(fs_path, mapped.relative, cached, st, request, head);
}

Response FileHandler::serve_path(const std::string& fs_path, std::string_view relative, const CachedFile* cached,
                                 const struct stat& st_found, const http::Request& request, bool head) {
    // Sidecars are looked for next to regular files that are not themselves compressed.
    const bool variants =
        !files_.precompressed.empty() && !sidecar_coding_of(fs_path) && (cached || S_ISREG(st_found.st_mode));
    if (variants) {
        const timespec& mtime = cached ? cached->mtime : st_found.st_mtim;
        std::string_view type = cached ? std::string_view(cached->content_type) : mime_.lookup(fs_path);
        if (std::optional<Response> r = serve_sidecar(fs_path, relative, mtime, type, request, head))
            return std::move(*r);
    }
    FileView view;
    view.vary = variants;
    if (cached) {
        view.size = cached->size;
        view.etag = cached->etag;
        view.mtime = cached->mtime.tv_sec;
        view.last_modified = cached->last_modified;
        view.content_type = cached->content_type;
        view.headers = cached->headers;
        view.content = &cached->content;
        return serve_file(view, request, head);
    }
    // Large (or special) files: opened for this response and sent with sendfile.
    auto file = std::make_shared<UniqueFd>(::open(fs_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!*file) return error_response(404, "File not found");
    struct stat st;
    if (::fstat(file->get(), &st) != 0 || !S_ISREG(st.st_mode)) return error_response(404, "File not found");
    std::string etag = make_etag(st.st_mtim.tv_sec, st.st_mtim.tv_nsec, static_cast<uint64_t>(st.st_size));
    std::string last_modified = http::format_http_date(st.st_mtim.tv_sec);
    view.size = static_cast<uint64_t>(st.st_size);
    view.etag = etag;
    view.mtime = st.st_mtim.tv_sec;
    view.last_modified = last_modified;
    view.content_type = mime_.lookup(fs_path);
    view.fd = std::move(file);
    return serve_file(view, request, head);
}

Response FileHandler::serve_directory(const std::string& fs_path, std::string_view target, const http::Request& request,
                                      bool head, bool trailing_slash) {
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
        struct stat st {};
        bool not_cacheable = false;
        const CachedFile* cached = cache_.lookup(candidate, &st, &not_cacheable);
        if (cached || (not_cacheable && S_ISREG(st.st_mode))) {
            if (!policy_.allows(index, candidate)) continue;
            return serve_path(candidate, index, cached, st, request, head);
        }
    }
    if (!files_.directory_listing) return error_response(404, "No permission to list directory");
    return serve_listing(base, target);
}

Response FileHandler::serve_listing(const std::string& dir_path, std::string_view target) {
    const bool rich = files_.listing == ListingStyle::Rich;
    std::optional<std::vector<RichEntry>> found = read_folder(dir_path, files_.dotfiles, rich);
    if (!found) return error_response(404, "No permission to list directory");
    if (rich) return rich_listing(std::move(*found), target);
    std::vector<ListingEntry> entries;
    entries.reserve(found->size());
    for (RichEntry& e : *found) entries.push_back({std::move(e.name), e.is_dir, e.is_symlink});
    sort_listing(entries);
    Response r;
    r.add_header("Content-Type", "text/html; charset=utf-8");
    r.set_memory_body(render_listing(target, entries));
    return r;
}

Response FileHandler::rich_listing(std::vector<RichEntry> entries, std::string_view target) {
    const std::string self_path = collapse_leading_slashes(target);  // parts point into it
    const TargetParts parts = split_target(self_path);
    const ListingQuery query = parse_listing_query(parts.query);
    sort_rich(entries, query);
    const std::string path = percent_decode_path(parts.path);
    Response r;
    if (query.json) {
        r.add_header("Content-Type", "application/json");
        r.set_memory_body(render_rich_json(path, entries));
    } else {
        r.add_header("Content-Type", "text/html; charset=utf-8");
        r.set_memory_body(render_rich_html(path, entries, query));
    }
    return r;
}

Response FileHandler::serve_file(const FileView& file, const http::Request& request, bool head) {
    const uint64_t size = file.size;
    Validators validators{std::string(file.etag), file.mtime};
    ConditionalHeaders conditions{header_value(request, "If-Match"), header_value(request, "If-None-Match"),
                                  header_value(request, "If-Modified-Since"),
                                  header_value(request, "If-Unmodified-Since")};
    if (conditions.if_match || conditions.if_none_match || conditions.if_modified_since ||
        conditions.if_unmodified_since) {
        switch (evaluate_preconditions(conditions, validators, true)) {
            case Precondition::NotModified: {
                Response r = error_response(304);
                r.add_header("ETag", file.etag);
                if (file.vary) r.add_header("Vary", "Accept-Encoding");
                return r;
            }
            case Precondition::Failed: {
                Response r = error_response(412);
                if (file.vary) r.add_header("Vary", "Accept-Encoding");
                return r;
            }
            case Precondition::Proceed: break;
        }
    }

    std::vector<ByteRange> ranges;
    if (auto range_header = header_value(request, "Range"); range_header && request.method == "GET") {
        auto if_range = header_value(request, "If-Range");
        if (!if_range || if_range_matches(*if_range, validators)) {
            RangeRequest rr = parse_range(*range_header, size);
            if (rr.outcome == RangeOutcome::Unsatisfiable) {
                Response e = error_response(416);
                e.add_header("Content-Range", "bytes */" + std::to_string(size));
                if (file.vary) e.add_header("Vary", "Accept-Encoding");
                return e;
            }
            if (rr.outcome == RangeOutcome::Satisfiable) ranges = std::move(rr.ranges);
            // Several ranges of encoded bytes would need Content-Encoding per part: the whole file instead.
            if (ranges.size() > 1 && !file.content_encoding.empty()) ranges.clear();
        }
    }

    Response r;
    if (ranges.size() <= 1) {
        if (!file.headers.empty()) {
            r.headers.assign(file.headers);
        } else {
            r.add_header("Content-Type", file.content_type);
            if (!file.content_encoding.empty()) r.add_header("Content-Encoding", file.content_encoding);
            r.add_header("Last-Modified", file.last_modified);
            r.add_header("ETag", file.etag);
            r.add_header("Accept-Ranges", "bytes");
        }
        if (file.vary) r.add_header("Vary", "Accept-Encoding");
        ByteRange range{0, size ? size - 1 : 0};
        if (!ranges.empty()) {
            range = ranges.front();
            r.status = 206;
            r.add_header("Content-Range", content_range(range, size));
        }
        const uint64_t length = size == 0 ? 0 : range.length();
        r.content_length = length;
        if (head || length == 0) return r;
        if (file.content) {
            // Cached bytes are copied straight into the connection's output with the head.
            r.borrowed_body = std::string_view(*file.content).substr(range.first, length);
            return r;
        }
        OutChunk chunk;
        chunk.file = file.fd;
        chunk.offset = range.first;
        chunk.length = length;
        r.body.push_back(std::move(chunk));
        return r;
    }

    // Several ranges: multipart/byteranges.
    char boundary[40];
    std::snprintf(boundary, sizeof boundary, "httpserve%08x%016llx", static_cast<unsigned>(::getpid()),
                  static_cast<unsigned long long>(++boundary_counter_));
    r.status = 206;
    r.add_header("Content-Type", std::string("multipart/byteranges; boundary=") + boundary);
    r.add_header("Last-Modified", file.last_modified);
    r.add_header("ETag", file.etag);
    r.add_header("Accept-Ranges", "bytes");
    if (file.vary) r.add_header("Vary", "Accept-Encoding");
    uint64_t total = 0;
    for (const ByteRange& range : ranges) {
        OutChunk chunk;
        chunk.mem = multipart_part_head(boundary, file.content_type, range, size);
        if (file.content) {
            chunk.mem.append(*file.content, range.first, range.length());
        } else {
            chunk.file = file.fd;
            chunk.offset = range.first;
            chunk.length = range.length();
        }
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
