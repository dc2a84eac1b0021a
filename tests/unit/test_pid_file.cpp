// daemon/pid_file: what a pid file may hold, writing and removing it, and finding a live master.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "daemon/pid_file.hpp"
#include "tests/unit/support/processes.hpp"
#include "tests/unit/support/temp_dir.hpp"

using namespace httpserve;
using test_support::Child;
using test_support::process_state;
using test_support::TempDir;
using test_support::wait_until;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The PidFileError message read_pid_file gives for `path`, or "(none)".
std::string read_error(const std::string& path) {
    try {
        read_pid_file(path);
    } catch (const PidFileError& e) { return e.what(); }
    return "(none)";
}

}  // namespace

TEST_CASE("pid text: decimal digits, then newlines or spaces", "[daemon][pid_file]") {
    CHECK(parse_pid_text("1234") == 1234);
    CHECK(parse_pid_text("1234\n") == 1234);
    CHECK(parse_pid_text("1234 \n\n ") == 1234);
    CHECK(parse_pid_text("2") == 2);
    CHECK(parse_pid_text("0042\n") == 42);
    CHECK(parse_pid_text("2147483647") == 2147483647);
}

TEST_CASE("pid text: anything else holds no process id", "[daemon][pid_file]") {
    for (const char* text : {"", "\n", "   ", " 1234", "\t1234", "1234\t", "12 34", "12a", "-5", "+5", "0x10", "1e3",
                             "0", "1", "00000000001", "2147483648", "9999999999", "12345678901"}) {
        INFO("text: '" << text << "'");
        CHECK_FALSE(parse_pid_text(text));
    }
    CHECK_FALSE(parse_pid_text(std::string_view("12\0", 3)));
}

TEST_CASE("read_pid_file: the pid, or an error naming the file", "[daemon][pid_file]") {
    TempDir dir("pidfile");
    CHECK(read_pid_file(dir.write("good.pid", "4321\n")) == 4321);

    const std::string missing = (dir.path / "missing.pid").string();
    CHECK(read_error(missing) ==
          "cannot read pid_file " + missing + ": No such file or directory (is httpserve running?)");
    const std::string garbage = dir.write("garbage.pid", "not a pid\n");
    CHECK(read_error(garbage) == "pid_file " + garbage + " does not hold a process id");
    const std::string empty = dir.write("empty.pid", "");
    CHECK(read_error(empty) == "pid_file " + empty + " does not hold a process id");
    CHECK(read_error(dir.path.string()) == "cannot read pid_file " + dir.path.string() + ": Is a directory");
}

TEST_CASE("PidFile: written whole, removed when it goes", "[daemon][pid_file]") {
    TempDir dir("pidfile");
    const std::string path = (dir.path / "h.pid").string();
    {
        PidFile file(path);
        CHECK(file.path() == path);
        CHECK(slurp(path) == std::to_string(::getpid()) + "\n");
        CHECK(read_pid_file(path) == ::getpid());
        // Written through a temporary file and a rename: nothing else is left in the folder.
        CHECK(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()) == 1);
    }
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("PidFile: a file that names another process is left alone", "[daemon][pid_file]") {
    TempDir dir("pidfile");
    const std::string path = (dir.path / "h.pid").string();
    {
        PidFile file(path);
        std::ofstream(path, std::ios::trunc) << "99999\n";  // a newer master took over
    }
    CHECK(slurp(path) == "99999\n");
}

TEST_CASE("PidFile: moving hands the file over; assigning removes the old one", "[daemon][pid_file]") {
    TempDir dir("pidfile");
    const std::string a = (dir.path / "a.pid").string();
    const std::string b = (dir.path / "b.pid").string();
    PidFile first(a);
    PidFile moved(std::move(first));
    CHECK(moved.path() == a);
    CHECK(first.path().empty());  // a moved-from PidFile names no file
    CHECK(std::filesystem::exists(a));
    moved = PidFile(b);
    CHECK_FALSE(std::filesystem::exists(a));
    CHECK(std::filesystem::exists(b));
    PidFile none;
    CHECK(none.path().empty());
}

TEST_CASE("PidFile: a folder that does not exist is an error naming the file", "[daemon][pid_file]") {
    TempDir dir("pidfile");
    const std::string path = (dir.path / "no-such-folder" / "h.pid").string();
    CHECK_THROWS_WITH(PidFile(path), "cannot write pid_file " + path + ": No such file or directory");
}

TEST_CASE("PidFile: a symbolic link at its temporary name is not followed", "[daemon][pid_file]") {
    TempDir dir("pidfile");
    const std::string path = (dir.path / "h.pid").string();
    const std::string target = dir.write("precious", "keep me\n");
    std::filesystem::create_symlink(target, path + ".tmp." + std::to_string(::getpid()));
    {
        PidFile file(path);
        CHECK(read_pid_file(path) == ::getpid());
        CHECK(slurp(target) == "keep me\n");
    }
    CHECK(slurp(target) == "keep me\n");
}

TEST_CASE("read_pid_file: a symbolic link is refused", "[daemon][pid_file]") {
    TempDir dir("pidfile");
    const std::string link = (dir.path / "h.pid").string();
    std::filesystem::create_symlink(dir.write("other.pid", "4321\n"), link);
    CHECK(read_error(link) == "cannot read pid_file " + link + ": it is a symbolic link, which is not followed");
}

TEST_CASE("PidFile: not in a folder every user may write to", "[daemon][pid_file]") {
    TempDir dir("pidfile");
    ::chmod(dir.path.c_str(), 0777);
    const std::string path = (dir.path / "h.pid").string();
    CHECK_THROWS_WITH(PidFile(path), "cannot open pid_file " + path + ": its folder " + dir.path.string() +
                                         " is writable by every user");
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("running master: only a live process of this program counts", "[daemon][pid_file]") {
    TempDir dir("pidfile");
    const std::string path = (dir.path / "h.pid").string();
    CHECK_FALSE(running_master(path));  // no file

    std::ofstream(path) << "garbage\n";
    CHECK_FALSE(running_master(path));

    std::ofstream(path, std::ios::trunc) << ::getpid() << "\n";
    CHECK_FALSE(running_master(path));  // this process itself is not "another master"
    CHECK(is_running_httpserve(::getpid()));

    SECTION("a live child running this program") {
        Child child;
        std::ofstream(path, std::ios::trunc) << child.pid() << "\n";
        CHECK(is_running_httpserve(child.pid()));
        CHECK(running_master(path) == child.pid());
    }
    SECTION("a zombie") {
        Child child([] { return 0; });
        REQUIRE(wait_until([&] { return process_state(child.pid()) == 'Z'; }));
        std::ofstream(path, std::ios::trunc) << child.pid() << "\n";
        CHECK_FALSE(is_running_httpserve(child.pid()));
        CHECK_FALSE(running_master(path));
    }
    SECTION("a process that has gone") {
        Child child([] { return 0; });
        const pid_t pid = child.pid();
        child.reap();
        std::ofstream(path, std::ios::trunc) << pid << "\n";
        CHECK_FALSE(is_running_httpserve(pid));
        CHECK_FALSE(running_master(path));
    }
    SECTION("a process running another program (a reused pid)") {
        Child child([] {
            ::execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
            return 127;
        });
        REQUIRE(wait_until([&] {
            std::error_code ec;
            return std::filesystem::read_symlink("/proc/" + std::to_string(child.pid()) + "/exe", ec).filename() ==
                   "sleep";
        }));
        std::ofstream(path, std::ios::trunc) << child.pid() << "\n";
        CHECK_FALSE(is_running_httpserve(child.pid()));
        CHECK_FALSE(running_master(path));
    }
}
