// Precompressed sidecars: foo.js.br / .zst / .gz sent for foo.js when the client accepts the coding
// (files.precompressed). Found through the file cache like any file, and remembered when missing, so
// that a warm hit (or a miss) costs no syscall more than the file itself.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "worker/file_handler.hpp"
#include "worker/http/http_date.hpp"
#include "worker/static/accept_encoding.hpp"
#include "worker/static/conditional.hpp"
#include "worker/static/precompressed.hpp"

namespace httpserve {

namespace {

// A sidecar is stale when it is older than its file, to the second: compressors that copy the file's
// mtime (brotli) copy whole seconds only.
bool older(const timespec& sidecar, const timespec& file) { return sidecar.tv_sec < file.tv_sec; }

}  // namespace

std::optional<Response> FileHandler::serve_sidecar(const std::string& fs_path, std::string_view relative,
                                                   const timespec& mtime, std::string_view content_type,
                                                   const http::Request& request, bool head) {
    const http::Header* accept = request.find("Accept-Encoding");
    if (accept == nullptr) return std::nullopt;  // no header: the file as it is, as nginx and H2O do
    const CodingPreference preference = preferred_codings(parse_accept_encoding(accept->value), files_.precompressed);
    std::string path = fs_path;  // one buffer for every candidate's name
    for (size_t i = 0; i < preference.count; ++i) {
        const ContentCoding coding = preference.codings[i];
        path.resize(fs_path.size());
        path.append(sidecar_suffix(coding));
        struct stat st {};
        bool other = false;
        const CachedFile* cached = cache_.lookup(path, &st, &other, true);
        if (!cached && !(other && S_ISREG(st.st_mode))) continue;  // missing, or not a regular file
        // The suffix adds no path component: the dotfile rule answers as for the file, the symlink rule may not.
        if (!policy_.allows(relative, path)) continue;

        FileView view;
        view.content_type = content_type;
        view.content_encoding = content_coding_token(coding);
        view.vary = true;
        if (cached) {
            if (older(cached->mtime, mtime)) continue;  // stale: made from an older version of the file
            view.size = cached->size;
            view.etag = cached->coded_etag;
            view.mtime = cached->mtime.tv_sec;
            view.last_modified = cached->last_modified;
            view.content = &cached->content;
            return serve_file(view, request, head);
        }
        auto file = std::make_shared<UniqueFd>(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
        if (!*file || ::fstat(file->get(), &st) != 0 || !S_ISREG(st.st_mode) || older(st.st_mtim, mtime)) continue;
        const std::string etag =
            coded_etag(make_etag(st.st_mtim.tv_sec, st.st_mtim.tv_nsec, static_cast<uint64_t>(st.st_size)), coding);
        const std::string last_modified = http::format_http_date(st.st_mtim.tv_sec);
        view.size = static_cast<uint64_t>(st.st_size);
        view.etag = etag;
        view.mtime = st.st_mtim.tv_sec;
        view.last_modified = last_modified;
        view.fd = std::move(file);
        return serve_file(view, request, head);
    }
    return std::nullopt;
}

}  // namespace httpserve
