// launcher/spawn_script: the checks the CGI launcher makes before it starts a script, against a real
// folder, and a real start. The launcher runs as the test's own user here (no account switch), the way
// it runs when the server was not started as root.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "common/unique_fd.hpp"
#include "ipc/launcher_settings.hpp"
#include "launcher/spawn_script.hpp"
#include "tests/unit/support/temp_dir.hpp"

using namespace httpserve;
using test_support::TempDir;
namespace fs = std::filesystem;

namespace {

// www/cgi-bin (the CGI folder) with scripts, www/other (not one); settings for the current user.
struct Site {
    TempDir dir{"spawn"};
    fs::path www = dir.path / "www";
    fs::path cgi = www / "cgi-bin";
    fs::path other = www / "other";
    LauncherSettings settings;

    Site() {
        fs::create_directories(cgi / "sub");
        fs::create_directories(other);
        script("cgi-bin/show.sh",
               "#!/bin/sh\necho \"argv=$0|$1 x=$X\"\necho \"cwd=$(pwd -P)\"\nset -- $(cat /proc/$$/stat)\n"
               "echo \"pgid=$5\"\necho to-stderr >&2\n");
        script("cgi-bin/sub/show.sh", "#!/bin/sh\necho sub\n");
        script("other/x.sh", "#!/bin/sh\necho other\n");
        settings.switch_user = false;
        settings.uid = ::geteuid();
        settings.gid = ::getegid();
        const passwd* pw = ::getpwuid(settings.uid);
        settings.user = pw ? pw->pw_name : std::to_string(settings.uid);
        settings.cgi_folders = {cgi.string()};
    }

    std::string script(const std::string& rel, const std::string& text, fs::perms mode = fs::perms(0755)) {
        const std::string path = dir.write("www/" + rel, text);
        fs::permissions(path, mode);
        return path;
    }
};

struct Pipe {
    UniqueFd read_end, write_end;
    Pipe() {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        read_end.reset(fds[0]);
        write_end.reset(fds[1]);
    }
};

std::string read_all(int fd) {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0) out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

// A spawn whose stdout and stderr are read to the end, and the script reaped.
struct Run {
    SpawnOutcome outcome;
    std::string out, err;
    int status = -1;
};

Run spawn(const LauncherSettings& settings, const SpawnRequest& request) {
    UniqueFd in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    REQUIRE(in);
    Pipe out, err;
    Run run;
    run.outcome = spawn_script(settings, request, in, out.write_end, err.write_end);
    out.write_end.reset();
    err.write_end.reset();
    run.out = read_all(out.read_end.get());
    run.err = read_all(err.read_end.get());
    if (run.outcome.pid > 0) REQUIRE(::waitpid(run.outcome.pid, &run.status, 0) == run.outcome.pid);
    return run;
}

SpawnRequest request_for(const fs::path& script) {
    SpawnRequest r;
    r.request_id = 7;
    r.script = script.string();
    r.envp = {"X=1", "PATH=/usr/bin:/bin"};
    return r;
}

// The refusal of `request`: no process, an errno value and a message; nothing ran.
void check_refused(const Run& run, int code, const std::string& message) {
    CHECK(run.outcome.pid == -1);
    CHECK(run.outcome.code == code);
    CHECK(run.outcome.message == message);
    CHECK(run.out.empty());
}

}  // namespace

TEST_CASE("spawn_script: a script in the CGI folder runs, in its own process group", "[launcher][spawn]") {
    Site site;
    SpawnRequest request = request_for(site.cgi / "show.sh");
    request.argv = {"show", "first"};
    const Run run = spawn(site.settings, request);
    REQUIRE(run.outcome.pid > 0);
    CHECK(run.outcome.code == 0);
    CHECK(run.outcome.script == (site.cgi / "show.sh").string());
    CHECK(WIFEXITED(run.status));
    CHECK(WEXITSTATUS(run.status) == 0);
    // $0 of a #! script is the script's path (the kernel passes it to the interpreter), whatever argv[0].
    CHECK(run.out == "argv=" + (site.cgi / "show.sh").string() + "|first x=1\ncwd=" + site.cgi.string() +
                         "\npgid=" + std::to_string(run.outcome.pid) + "\n");
    CHECK(run.err == "to-stderr\n");
}

TEST_CASE("spawn_script: defaults: argv is the script, the folder is the script's", "[launcher][spawn]") {
    Site site;
    const Run run = spawn(site.settings, request_for(site.cgi / "show.sh"));
    REQUIRE(run.outcome.pid > 0);
    CHECK(run.out.rfind("argv=" + (site.cgi / "show.sh").string() + "| x=1\ncwd=" + site.cgi.string() + "\n", 0) == 0);

    SpawnRequest in_sub = request_for(site.cgi / "show.sh");
    in_sub.cwd = (site.cgi / "sub").string();
    const Run sub = spawn(site.settings, in_sub);
    REQUIRE(sub.outcome.pid > 0);
    CHECK(sub.out.find("cwd=" + (site.cgi / "sub").string() + "\n") != std::string::npos);
}

TEST_CASE("spawn_script: an explicit cgi.user that cannot be honoured refuses everything", "[launcher][spawn]") {
    Site site;
    site.settings.refuse_reason = "cgi.user 'nobody' is set, but the server was not started as root";
    check_refused(spawn(site.settings, request_for(site.cgi / "show.sh")), EPERM,
                  "cgi.user 'nobody' is set, but the server was not started as root");
}

TEST_CASE("spawn_script: the path must be absolute and exist", "[launcher][spawn]") {
    Site site;
    check_refused(spawn(site.settings, request_for("cgi-bin/show.sh")), EINVAL,
                  "script path is not absolute: cgi-bin/show.sh");
    check_refused(spawn(site.settings, request_for("")), EINVAL, "script path is not absolute: ");
    const std::string missing = (site.cgi / "missing.sh").string();
    check_refused(spawn(site.settings, request_for(missing)), ENOENT, missing + ": No such file or directory");
}

TEST_CASE("spawn_script: a script outside the CGI folders is refused", "[launcher][spawn]") {
    Site site;
    const std::string outside = (site.other / "x.sh").string();
    check_refused(spawn(site.settings, request_for(outside)), EPERM, outside + ": not inside a CGI folder");

    SECTION("named through a path that climbs out") {
        const Run run = spawn(site.settings, request_for(site.cgi / ".." / "other" / "x.sh"));
        check_refused(run, EPERM, outside + ": not inside a CGI folder");
        CHECK(run.outcome.script == outside);  // the resolved path
    }
    SECTION("a folder whose name only starts like the CGI folder") {
        const std::string lookalike = site.script("cgi-binx/x.sh", "#!/bin/sh\necho lookalike\n");
        check_refused(spawn(site.settings, request_for(lookalike)), EPERM, lookalike + ": not inside a CGI folder");
    }
    SECTION("a symlink in the CGI folder to a script outside it") {
        fs::create_symlink(outside, site.cgi / "escape.sh");
        check_refused(spawn(site.settings, request_for(site.cgi / "escape.sh")), EPERM,
                      outside + ": not inside a CGI folder");
    }
    SECTION("a folder in the CGI folder swapped for a symlink to one outside it") {
        fs::remove_all(site.cgi / "sub");
        fs::create_directory_symlink(site.other, site.cgi / "sub");
        check_refused(spawn(site.settings, request_for(site.cgi / "sub" / "x.sh")), EPERM,
                      outside + ": not inside a CGI folder");
    }
    SECTION("no CGI folder at all") {
        site.settings.cgi_folders.clear();
        const std::string inside = (site.cgi / "show.sh").string();
        check_refused(spawn(site.settings, request_for(inside)), EPERM, inside + ": not inside a CGI folder");
    }
}

TEST_CASE("spawn_script: links resolve to where they lead", "[launcher][spawn]") {
    Site site;
    SECTION("a symlink outside the CGI folder to a script in it runs that script") {
        fs::create_symlink(site.cgi / "sub" / "show.sh", site.other / "link-in.sh");
        const Run run = spawn(site.settings, request_for(site.other / "link-in.sh"));
        REQUIRE(run.outcome.pid > 0);
        CHECK(run.outcome.script == (site.cgi / "sub" / "show.sh").string());
        CHECK(run.out == "sub\n");
    }
    SECTION("the CGI folder itself is resolved again for each request") {
        // Re-linked after the settings were made: the folder it names now is the CGI folder.
        const fs::path moved = site.dir.path / "moved-cgi";
        fs::rename(site.cgi, moved);
        fs::create_directory_symlink(moved, site.cgi);
        const Run run = spawn(site.settings, request_for(site.cgi / "sub" / "show.sh"));
        REQUIRE(run.outcome.pid > 0);
        CHECK(run.outcome.script == (moved / "sub" / "show.sh").string());
        const std::string outside = (site.other / "x.sh").string();
        check_refused(spawn(site.settings, request_for(outside)), EPERM, outside + ": not inside a CGI folder");
    }
}

TEST_CASE("spawn_script: only plain files the account may execute", "[launcher][spawn]") {
    Site site;
    const std::string sub = (site.cgi / "sub").string();
    check_refused(spawn(site.settings, request_for(sub)), EISDIR, sub + ": is a directory, not a plain file");

    const std::string fifo = (site.cgi / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0755) == 0);
    check_refused(spawn(site.settings, request_for(fifo)), EACCES, fifo + ": not a plain file");

    const std::string noexec = site.script("cgi-bin/noexec.sh", "#!/bin/sh\necho never\n", fs::perms(0644));
    check_refused(spawn(site.settings, request_for(noexec)), EACCES,
                  noexec + ": not executable by " + site.settings.user);
}

TEST_CASE("spawn_script: the working folder must be in a CGI folder too", "[launcher][spawn]") {
    Site site;
    SpawnRequest request = request_for(site.cgi / "show.sh");
    request.cwd = site.other.string();
    check_refused(spawn(site.settings, request), EPERM,
                  site.other.string() + ": working folder not inside a CGI folder");
    request.cwd = (site.cgi / "missing").string();
    check_refused(spawn(site.settings, request), EPERM, request.cwd + ": working folder not inside a CGI folder");
}

TEST_CASE("spawn_script: every environment entry is NAME=value", "[launcher][spawn]") {
    Site site;
    const std::string script = (site.cgi / "show.sh").string();
    for (const char* bad : {"NOEQUALS", "=value", ""}) {
        INFO("entry: '" << bad << "'");
        SpawnRequest request = request_for(script);
        request.envp.push_back(bad);
        check_refused(spawn(site.settings, request), EINVAL, script + ": malformed environment entry");
    }
}

TEST_CASE("spawn_script: a failure in the child before exec is reported", "[launcher][spawn]") {
    Site site;
    // Executable, but no #! line and no binary format: execve fails with ENOEXEC.
    const std::string garbage = site.script("cgi-bin/garbage", "not a program\n");
    check_refused(spawn(site.settings, request_for(garbage)), ENOEXEC, garbage + ": exec: Exec format error");
}
