// Folders for Catch2 tests that touch the file system: a fresh temporary folder removed at the end of
// the test, and a scoped change of the working folder.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace httpserve::test_support {

// A fresh folder under the temporary folder ("httpserve-<tag>-XXXXXX"), removed with everything in it
// when the object goes. `path` is canonical: no symlink on the way (a symlinked /tmp would defeat
// inotify watches and realpath comparisons).
struct TempDir {
    std::filesystem::path path;

    explicit TempDir(const std::string& tag = "test") {
        std::string pattern = (std::filesystem::temp_directory_path() / ("httpserve-" + tag + "-XXXXXX")).string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = std::filesystem::canonical(pattern);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // Writes `text` to `rel` (its folders created as needed); returns the file's full path.
    std::string write(const std::string& rel, const std::string& text) const {
        const std::filesystem::path file = path / rel;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << text;
        return file.string();
    }
};

// Runs `body` with the working folder set to `dir`, restoring it afterwards (also when it throws).
template <typename Body>
void in_folder(const std::filesystem::path& dir, Body body) {
    const std::filesystem::path old = std::filesystem::current_path();
    std::filesystem::current_path(dir);
    try {
        body();
    } catch (...) {
        std::filesystem::current_path(old);
        throw;
    }
    std::filesystem::current_path(old);
}

}  // namespace httpserve::test_support
