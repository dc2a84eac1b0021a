// common/log_file: a log file is opened where its path says, never through a symbolic link, never in
// a folder anyone may write to, never a FIFO that would block.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/log_file.hpp"
#include "tests/unit/support/temp_dir.hpp"

using namespace httpserve;
using test_support::TempDir;
namespace fs = std::filesystem;

namespace {

std::string open_error(const std::string& path) {
    try {
        open_log_file(path, "error log");
    } catch (const std::runtime_error& e) { return e.what(); }
    return "(none)";
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("open_log_file: creates and appends", "[log_file]") {
    TempDir dir("logfile");
    const std::string path = (dir.path / "error.log").string();
    {
        UniqueFd fd = open_log_file(path, "error log");
        REQUIRE(fd);
        REQUIRE(::write(fd.get(), "one\n", 4) == 4);
    }
    UniqueFd again = open_log_file(path, "error log");
    REQUIRE(::write(again.get(), "two\n", 4) == 4);
    CHECK(slurp(path) == "one\ntwo\n");
    CHECK((fs::status(path).permissions() & fs::perms::others_all) == fs::perms::none);
}

TEST_CASE("open_log_file: a symbolic link is refused, its target untouched", "[log_file]") {
    TempDir dir("logfile");
    const std::string target = dir.write("precious", "keep me\n");
    const std::string link = (dir.path / "error.log").string();
    fs::create_symlink(target, link);
    CHECK(open_error(link) == "cannot open error log " + link + ": it is a symbolic link, which is not followed");
    CHECK(slurp(target) == "keep me\n");
}

TEST_CASE("open_log_file: a FIFO is an error, not a hang", "[log_file]") {
    TempDir dir("logfile");
    const std::string fifo = (dir.path / "error.log").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(open_error(fifo) == "cannot open error log " + fifo + ": No such device or address");
    CHECK(open_error(dir.path.string()) == "cannot open error log " + dir.path.string() + ": Is a directory");
}

TEST_CASE("open_log_file: a folder every user may write to", "[log_file]") {
    TempDir dir("logfile");
    const fs::path open_folder = dir.path / "open";
    fs::create_directory(open_folder);
    ::chmod(open_folder.c_str(), 0777);
    const std::string path = (open_folder / "error.log").string();
    CHECK(open_error(path) ==
          "cannot open error log " + path + ": its folder " + open_folder.string() + " is writable by every user");
    CHECK_FALSE(fs::exists(path));

    // With the sticky bit (like /tmp) others cannot replace our file, but may have left theirs.
    ::chmod(open_folder.c_str(), 01777);
    CHECK(open_error(path) == "(none)");
    if (::geteuid() == 0) {
        const std::string planted = (open_folder / "planted.log").string();
        std::ofstream(planted) << "";
        REQUIRE(::chown(planted.c_str(), 65534, 65534) == 0);
        CHECK(open_error(planted) == "cannot open error log " + planted +
                                         ": it belongs to another user (uid 65534) in " + open_folder.string() +
                                         ", which every user may write to");
    }
}
