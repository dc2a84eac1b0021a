// FileCache against the real kernel: sidecar lookups (remembered when missing, never emptying a full
// cache) in a temporary folder.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/unit/support/temp_dir.hpp"
#include "worker/file_cache.hpp"
#include "worker/static/mime.hpp"

using httpserve::CachedFile;
using httpserve::FileCache;
using httpserve::MimeTable;
using httpserve::test_support::TempDir;

namespace {

struct Found {
    const CachedFile* entry = nullptr;
    bool other = false;
};

Found find(FileCache& cache, const std::string& path, bool sidecar = false) {
    Found f;
    struct stat st {};
    f.entry = cache.lookup(path, &st, &f.other, sidecar);
    return f;
}

}  // namespace

TEST_CASE("file cache: a missing sidecar is remembered until its folder reports it", "[file_cache]") {
    TempDir t("fcache");
    const MimeTable mime = MimeTable::builtin();
    FileCache cache(mime);
    REQUIRE(cache.watch_fd() >= 0);
    const std::string file = t.write("site/app.js", "x");
    REQUIRE(find(cache, file).entry != nullptr);
    CHECK(find(cache, file + ".gz", true).entry == nullptr);

    t.write("site/app.js.gz", "z");
    // Not looked for again before the change is read: what the cache remembered stands.
    CHECK(find(cache, file + ".gz", true).entry == nullptr);
    cache.read_changes();
    const Found now = find(cache, file + ".gz", true);
    REQUIRE(now.entry != nullptr);
    CHECK(now.entry->content == "z");
    CHECK(now.entry->coded_etag == now.entry->etag.substr(0, now.entry->etag.size() - 1) + "-gzip\"");

    std::filesystem::remove(file + ".gz");
    cache.read_changes();
    CHECK(find(cache, file + ".gz", true).entry == nullptr);
    CHECK(find(cache, file).entry != nullptr);
}

TEST_CASE("file cache: a sidecar lookup never empties a full cache", "[file_cache]") {
    TempDir t("fcache");
    const MimeTable mime = MimeTable::builtin();
    FileCache cache(mime);
    const std::string file = t.write("app.js", "x");
    t.write("app.js.gz", "z");
    const CachedFile* entry = find(cache, file).entry;
    REQUIRE(entry != nullptr);
    for (size_t i = 1; i < FileCache::max_entries; ++i) {
        REQUIRE(find(cache, t.write("fill/" + std::to_string(i), "f")).entry != nullptr);
    }
    // Full: the sidecar is reported as a file to open, a missing one is not remembered, and the
    // entry of the file it belongs to is the same object still.
    const Found gz = find(cache, file + ".gz", true);
    CHECK(gz.entry == nullptr);
    CHECK(gz.other);
    const Found br = find(cache, file + ".br", true);
    CHECK(br.entry == nullptr);
    CHECK_FALSE(br.other);
    CHECK(find(cache, file).entry == entry);
    CHECK(entry->content == "x");
}
