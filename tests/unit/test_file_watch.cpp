// FileWatch against the real kernel: a temporary folder, real changes, the paths inotify reports.
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/support/temp_dir.hpp"
#include "worker/file_watch.hpp"

namespace fs = std::filesystem;
using httpserve::FileWatch;
using httpserve::path_at_or_below;
using httpserve::test_support::TempDir;

namespace {

std::vector<std::string> changes(FileWatch& w) {
    std::vector<std::string> out;
    w.read_events([&](const std::string& changed) { out.push_back(changed); });
    return out;
}

bool reported(const std::vector<std::string>& changed, const std::string& path) {
    return std::any_of(changed.begin(), changed.end(), [&](const std::string& c) { return path_at_or_below(path, c); });
}

}  // namespace

TEST_CASE("path_at_or_below", "[file_watch]") {
    CHECK(path_at_or_below("/a/b", "/a"));
    CHECK(path_at_or_below("/a/b", "/a/b"));
    CHECK(path_at_or_below("/a/b/c", "/"));
    CHECK_FALSE(path_at_or_below("/a/bc", "/a/b"));
    CHECK_FALSE(path_at_or_below("/a", "/a/b"));
}

TEST_CASE("a watched file reports writes, chmod, removal; its folders report renames", "[file_watch]") {
    TempDir t("watch");
    FileWatch w;
    REQUIRE(w.active());
    const std::string file = t.write("site/dir/f.txt", "one");
    REQUIRE(w.watch(file));
    CHECK(changes(w).empty());

    SECTION("a write") {
        std::ofstream(file, std::ios::app) << "two";
        CHECK(reported(changes(w), file));
    }
    SECTION("a chmod") {
        REQUIRE(::chmod(file.c_str(), 0600) == 0);
        CHECK(reported(changes(w), file));
    }
    SECTION("a removal") {
        fs::remove(file);
        CHECK(reported(changes(w), file));
    }
    SECTION("another file renamed over it") {
        const std::string other = t.write("site/dir/g.txt", "new");
        fs::rename(other, file);
        CHECK(reported(changes(w), file));
    }
    SECTION("a folder on the way renamed") {
        fs::rename(t.path / "site/dir", t.path / "site/moved");
        CHECK(reported(changes(w), file));
        // Watching the path again watches what it names now.
        t.write("site/dir/f.txt", "again");
        REQUIRE(w.watch(file));
        changes(w);
        std::ofstream(file, std::ios::app) << "more";
        CHECK(reported(changes(w), file));
    }
    SECTION("a new sibling changes nothing") {
        t.write("site/dir/sibling.txt", "x");
        CHECK_FALSE(reported(changes(w), file));
    }
}

TEST_CASE("paths through a symlink are not watched", "[file_watch]") {
    TempDir t("watch");
    FileWatch w;
    t.write("real/f.txt", "x");
    fs::create_directory_symlink(t.path / "real", t.path / "link");
    CHECK_FALSE(w.watch((t.path / "link/f.txt").string()));
    CHECK(w.watch((t.path / "real/f.txt").string()));
    CHECK_FALSE(w.watch((t.path / "missing.txt").string()));
    CHECK_FALSE(w.watch("relative/path"));
}

TEST_CASE("a watched absent path reports its appearing; other new entries report only themselves", "[file_watch]") {
    TempDir t("watch");
    FileWatch w;
    REQUIRE(w.active());
    const std::string plain = t.write("site/dir/app.js", "x");
    const std::string sidecar = plain + ".gz";
    REQUIRE(w.watch(plain));
    REQUIRE(w.watch_absent(sidecar));
    REQUIRE(w.watch_absent(sidecar));  // again: nothing new
    CHECK(changes(w).empty());

    SECTION("created") {
        t.write("site/dir/app.js.gz", "z");
        const auto changed = changes(w);
        CHECK(reported(changed, sidecar));
        CHECK_FALSE(reported(changed, plain));
    }
    SECTION("renamed into place") {
        t.write("site/other.gz", "z");
        changes(w);
        fs::rename(t.path / "site/other.gz", sidecar);
        CHECK(reported(changes(w), sidecar));
    }
    SECTION("a symlink created") {
        fs::create_symlink(plain, sidecar);
        CHECK(reported(changes(w), sidecar));
    }
    SECTION("an unrelated new file reports only itself") {
        const std::string other = t.write("site/dir/unrelated.txt", "u");
        for (const std::string& c : changes(w)) CHECK(c == other);
    }
    SECTION("its folder replaced: reported, and watching again works") {
        fs::rename(t.path / "site/dir", t.path / "site/old");
        CHECK(reported(changes(w), sidecar));
        t.write("site/dir/app.js", "y");
        REQUIRE(w.watch_absent(sidecar));
        t.write("site/dir/app.js.gz", "z");
        CHECK(reported(changes(w), sidecar));
    }
}
