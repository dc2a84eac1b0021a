#include "worker/file_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "common/unique_fd.hpp"
#include "worker/http/http_date.hpp"
#include "worker/static/conditional.hpp"
#include "worker/static/mime.hpp"
#include "worker/static/precompressed.hpp"

namespace httpserve {

namespace {

bool same_time(const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

bool unchanged(const CachedFile& e, const struct stat& st) {
    return e.dev == st.st_dev && e.ino == st.st_ino && e.size == static_cast<uint64_t>(st.st_size) &&
           same_time(e.mtime, st.st_mtim) && same_time(e.ctime, st.st_ctim);
}

}  // namespace

const CachedFile* FileCache::lookup(const std::string& path, struct stat* st_out, bool* is_other, bool sidecar) {
    *is_other = false;
    auto it = entries_.find(path);
    if (it != entries_.end() && it->second.watched) {
        return it->second.absent ? nullptr : &it->second;  // nothing changed since it was checked
    }
    // A known entry is watched again before it is checked, so that no change slips in between.
    const bool known_absent = it != entries_.end() && it->second.absent;
    const bool rewatched = it != entries_.end() && !it->second.unwatchable &&
                           (known_absent ? watch_.watch_absent(path) : watch_.watch(path));
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
        if (known_absent) {
            it->second.watched = rewatched;
            return nullptr;
        }
        if (it != entries_.end()) {
            content_bytes_ -= it->second.content.size();
            entries_.erase(it);
        }
        if (sidecar) remember_absent(path);
        return nullptr;
    }
    if (known_absent) {
        entries_.erase(it);
        it = entries_.end();
    }
    if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > content_limit) {
        *is_other = true;
        if (st_out) *st_out = st;
        return nullptr;
    }
    if (it != entries_.end() && unchanged(it->second, st)) {
        if (!rewatched) it->second.unwatchable = true;
        it->second.watched = rewatched;
        return &it->second;
    }
    if (sidecar && it != entries_.end()) {  // changed: the old entry goes first, whatever follows
        content_bytes_ -= it->second.content.size();
        entries_.erase(it);
    }
    if (sidecar && full(static_cast<uint64_t>(st.st_size))) {  // no room without emptying the cache
        *is_other = true;
        if (st_out) *st_out = st;
        return nullptr;
    }
    // A new (or changed) file: watched first, then read (load opens it and checks the open file).
    // (A folder watched for a missing path does not watch the file that is there now.)
    return load(path, (rewatched && !known_absent) || watch_.watch(path), !sidecar);
}

void FileCache::remember_absent(const std::string& path) {
    if (full(0)) return;  // asked again, it is looked for again
    const bool watched = watch_.watch_absent(path);
    struct stat st;
    if (watched && ::stat(path.c_str(), &st) == 0) return;  // created meanwhile
    CachedFile e;
    e.absent = true;
    e.watched = watched;
    entries_.emplace(path, std::move(e));
}

void FileCache::read_changes() {
    watch_.read_events([this](const std::string& changed) {
        // Checked with stat() at their next use (and reloaded only if they did change).
        for (auto& [path, entry] : entries_) {
            if (entry.watched && path_at_or_below(path, changed)) entry.watched = false;
        }
    });
}

const CachedFile* FileCache::load(const std::string& path, bool watched, bool may_evict) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd) return nullptr;
    struct stat st;
    // The open file's own stat is what the entry describes.
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > content_limit) {
        return nullptr;
    }

    CachedFile e;
    e.dev = st.st_dev;
    e.ino = st.st_ino;
    e.size = static_cast<uint64_t>(st.st_size);
    e.mtime = st.st_mtim;
    e.ctime = st.st_ctim;
    e.watched = watched;
    e.unwatchable = !watched;
    e.etag = make_etag(st.st_mtim.tv_sec, st.st_mtim.tv_nsec, e.size);
    e.last_modified = http::format_http_date(st.st_mtim.tv_sec);
    e.content_type = std::string(mime_.lookup(path));
    e.headers = "Content-Type: " + e.content_type + "\r\nLast-Modified: " + e.last_modified + "\r\nETag: " + e.etag +
                "\r\nAccept-Ranges: bytes\r\n";
    if (const auto coding = sidecar_coding_of(path)) e.coded_etag = coded_etag(e.etag, *coding);
    e.content.resize(e.size);
    size_t got = 0;
    while (got < e.size) {
        ssize_t n = ::pread(fd.get(), e.content.data() + got, e.size - got, static_cast<off_t>(got));
        if (n <= 0) return nullptr;  // shrank or failed while reading: do not cache a torn copy
        got += static_cast<size_t>(n);
    }

    auto old = entries_.find(path);
    if (old != entries_.end()) {
        content_bytes_ -= old->second.content.size();
        entries_.erase(old);
    }
    if (!may_evict && full(e.content.size())) return nullptr;  // grew since its stat(); served uncached
    if (make_room(e.content.size())) e.watched = false;        // its watches went with the others
    content_bytes_ += e.content.size();
    auto [it, inserted] = entries_.emplace(path, std::move(e));
    return &it->second;
}

bool FileCache::full(uint64_t incoming) const {
    return entries_.size() >= max_entries || content_bytes_ + incoming > max_content_bytes;
}

bool FileCache::make_room(uint64_t incoming) {
    // Simple and bounded: when full, start over. The working set of a static site refills in a second.
    if (full(incoming)) {
        entries_.clear();
        content_bytes_ = 0;
        watch_.clear();
        return true;
    }
    return false;
}

}  // namespace httpserve
