// Recently served regular files, per worker: their validators, pre-rendered headers and (small ones)
// their bytes. Every use is checked with one stat(): any change of inode, size, mtime or ctime reloads
// the entry, so a changed file is never served stale, and a request costs one stat() instead of
// stat+open+fstat+read+close. Bytes and ETag of an entry always belong to the same version.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>


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
    std::string headers;            // "Content-Type: ..\r\nLast-Modified: ..\r\nETag: ..\r\nAccept-Ranges: bytes\r\n"
    std::string content;            // the file's bytes (only small files are cached)
};

class FileCache {
public:
    static constexpr uint64_t content_limit = 64 * 1024;      // files up to this are kept in memory
    static constexpr size_t max_entries = 4096;
    static constexpr uint64_t max_content_bytes = 64ull << 20;

    explicit FileCache(const MimeTable& mime) : mime_(mime) {}

    // The entry for `path` when it is a readable regular file of at most content_limit bytes, else
    // nullptr. When the path exists but is something else (a directory, a large file), *is_other is
    // set and `st_out` receives its stat().
    const CachedFile* lookup(const std::string& path, struct stat* st_out, bool* is_other);

private:
    const CachedFile* load(const std::string& path);
    void make_room(uint64_t incoming);

    const MimeTable& mime_;
    std::unordered_map<std::string, CachedFile> entries_;
    uint64_t content_bytes_ = 0;
};

}  // namespace httpserve
