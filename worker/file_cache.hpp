// Recently served regular files, per worker: their validators, pre-rendered headers and (small ones)
// their bytes. An entry is served as it is while inotify vouches for its path (worker/file_watch.hpp):
// no syscall at all. Otherwise (a change reported, a symlink on the way, no watch to be had) each use
// is checked with one stat(): any change of inode, size, mtime or ctime reloads the entry. Either
// way a changed file is never served stale, and bytes and ETag of an entry belong to one version.
// Precompressed sidecars (foo.js.gz) are entries like any file; a missing one is remembered as well,
// its folder watched for new entries, so that looking for it again costs nothing either.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "worker/file_watch.hpp"

namespace httpserve {

class MimeTable;

struct CachedFile {
    dev_t dev = 0;
    ino_t ino = 0;
    uint64_t size = 0;
    timespec mtime{};
    timespec ctime{};
    std::string etag;
    std::string last_modified;
    std::string content_type;
    std::string headers;       // "Content-Type: ..\r\nLast-Modified: ..\r\nETag: ..\r\nAccept-Ranges: bytes\r\n"
    std::string content;       // the file's bytes (only small files are cached)
    std::string coded_etag;    // a precompressed sidecar's (foo.js.gz): its ETag as a variant of foo.js
    bool absent = false;       // remembered: there is no file at this path (sidecar candidates only)
    bool watched = false;      // inotify reports any change of its path: no stat() needed
    bool unwatchable = false;  // a symlink on the way (or no watch to be had): stat() every use
};

class FileCache {
public:
    static constexpr uint64_t content_limit = 64 * 1024;  // files up to this are kept in memory
    static constexpr size_t max_entries = 4096;
    static constexpr uint64_t max_content_bytes = 64ull << 20;

    explicit FileCache(const MimeTable& mime) : mime_(mime) {}

    // The entry for `path` when it is a readable regular file of at most content_limit bytes, else
    // nullptr. When the path exists but is something else (a directory, a large file), *is_other is
    // set and `st_out` receives its stat().
    // `sidecar`: a path derived from a file that exists (a precompressed sidecar), which bounds how
    // many there can be. A missing one is remembered (and watched), so that asking again costs no
    // syscall; and such a lookup never empties a full cache, so that the entry of the file it was
    // derived from stays valid (a regular file that finds no room is reported as *is_other).
    const CachedFile* lookup(const std::string& path, struct stat* st_out, bool* is_other, bool sidecar = false);

    // The inotify descriptor to poll (-1 without inotify), and what to call when it is readable.
    int watch_fd() const { return watch_.active() ? watch_.fd() : -1; }
    void read_changes();

private:
    // `may_evict`: false when it must not empty a full cache (it then returns nullptr).
    const CachedFile* load(const std::string& path, bool watched, bool may_evict = true);
    bool full(uint64_t incoming) const;
    bool make_room(uint64_t incoming);  // true when it emptied the cache
    // Records that the sidecar `path` is missing (unless the cache is full or it appeared meanwhile).
    void remember_absent(const std::string& path);

    const MimeTable& mime_;
    FileWatch watch_;
    std::unordered_map<std::string, CachedFile> entries_;
    uint64_t content_bytes_ = 0;
};

}  // namespace httpserve
