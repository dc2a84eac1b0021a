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
#include <vector>

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
        script(
            "cgi-bin/show.sh",
            "#!/bin/sh\necho \"argv=$0|$1 x=$HTTP_X path=$PATH\"\necho \"cwd=$(pwd -P)\"\nset -- $(cat /proc/$$/stat)\n"
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
    r.envp = {"HTTP_X=1", "PATH=/usr/bin:/bin"};
    return r;
}

// The refusal of `request`: no process; the worker's answer is the same whatever the cause, which
// only the launcher's log (`detail`) tells; nothing ran.
void check_refused(const Run& run, const std::string& detail) {
    CHECK(run.outcome.pid == -1);
    CHECK(run.outcome.code == kRefusedCode);
    CHECK(run.outcome.message == kRefusedMessage);
    CHECK(run.outcome.detail == detail);
    CHECK(run.out.empty());
}

const std::string kOpening = ": opening it beneath its CGI folder: ";
const std::string kOutside = "Invalid cross-device link (it leads outside its CGI folder)";

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
    // $0 of a #! script is its path, as execve() of that path gives it, whatever argv[0]. PATH is the
    // launcher's.
    CHECK(run.out == "argv=" + (site.cgi / "show.sh").string() + "|first x=1 path=/usr/local/bin:/usr/bin:/bin\ncwd=" +
                         site.cgi.string() + "\npgid=" + std::to_string(run.outcome.pid) + "\n");
    CHECK(run.err == "to-stderr\n");
    CHECK(run.outcome.dropped_variables.empty());  // PATH is replaced, not worth a warning
}

TEST_CASE("spawn_script: defaults: argv is the script, the folder is the script's", "[launcher][spawn]") {
    Site site;
    const Run run = spawn(site.settings, request_for(site.cgi / "show.sh"));
    REQUIRE(run.outcome.pid > 0);
    CHECK(run.out.rfind("argv=" + (site.cgi / "show.sh").string() +
                            "| x=1 path=/usr/local/bin:/usr/bin:/bin\ncwd=" + site.cgi.string() + "\n",
                        0) == 0);

    SpawnRequest in_sub = request_for(site.cgi / "show.sh");
    in_sub.cwd = (site.cgi / "sub").string();
    const Run sub = spawn(site.settings, in_sub);
    REQUIRE(sub.outcome.pid > 0);
    CHECK(sub.out.find("cwd=" + (site.cgi / "sub").string() + "\n") != std::string::npos);
}

TEST_CASE("spawn_script: a binary runs from its descriptor too", "[launcher][spawn]") {
    Site site;
    const fs::path copy = site.cgi / "true";
    fs::copy_file("/bin/true", copy);
    const Run run = spawn(site.settings, request_for(copy));
    REQUIRE(run.outcome.pid > 0);
    CHECK(WIFEXITED(run.status));
    CHECK(WEXITSTATUS(run.status) == 0);
}

TEST_CASE("spawn_script: an explicit cgi.user that cannot be honoured refuses everything", "[launcher][spawn]") {
    Site site;
    site.settings.refuse_reason = "cgi.user 'nobody' is set, but the server was not started as root";
    const Run run = spawn(site.settings, request_for(site.cgi / "show.sh"));
    CHECK(run.outcome.pid == -1);
    CHECK(run.outcome.code == EPERM);
    // The configuration's reason, not a file's: the worker may be told.
    CHECK(run.outcome.message == site.settings.refuse_reason);
    CHECK(run.outcome.detail == site.settings.refuse_reason);
}

TEST_CASE("spawn_script: the path must be absolute and exist", "[launcher][spawn]") {
    Site site;
    check_refused(spawn(site.settings, request_for("cgi-bin/show.sh")), "script path is not absolute: cgi-bin/show.sh");
    check_refused(spawn(site.settings, request_for("")), "script path is not absolute: ");
    const std::string missing = (site.cgi / "missing.sh").string();
    check_refused(spawn(site.settings, request_for(missing)), missing + kOpening + "No such file or directory");
}

TEST_CASE("spawn_script: a script outside the CGI folders is refused", "[launcher][spawn]") {
    Site site;
    const std::string outside = (site.other / "x.sh").string();
    check_refused(spawn(site.settings, request_for(outside)), outside + ": not inside a CGI folder");

    SECTION("named through a path that climbs out") {
        const std::string climbing = (site.cgi / ".." / "other" / "x.sh").string();
        const Run run = spawn(site.settings, request_for(climbing));
        check_refused(run, climbing + kOpening + kOutside);
        CHECK(run.outcome.script == climbing);  // as asked
    }
    SECTION("a folder whose name only starts like the CGI folder") {
        const std::string lookalike = site.script("cgi-binx/x.sh", "#!/bin/sh\necho lookalike\n");
        check_refused(spawn(site.settings, request_for(lookalike)), lookalike + ": not inside a CGI folder");
    }
    SECTION("a symlink in the CGI folder to a script outside it") {
        fs::create_symlink(outside, site.cgi / "escape.sh");
        const std::string link = (site.cgi / "escape.sh").string();
        check_refused(spawn(site.settings, request_for(link)), link + kOpening + kOutside);
    }
    SECTION("a relative symlink in the CGI folder that climbs out of it") {
        fs::create_symlink("../other/x.sh", site.cgi / "climb.sh");
        const std::string link = (site.cgi / "climb.sh").string();
        check_refused(spawn(site.settings, request_for(link)), link + kOpening + kOutside);
    }
    SECTION("a folder in the CGI folder swapped for a symlink to one outside it") {
        fs::remove_all(site.cgi / "sub");
        fs::create_directory_symlink(site.other, site.cgi / "sub");
        const std::string swapped = (site.cgi / "sub" / "x.sh").string();
        check_refused(spawn(site.settings, request_for(swapped)), swapped + kOpening + kOutside);
    }
    SECTION("a symlink from outside the CGI folder to a script in it") {
        fs::create_symlink(site.cgi / "sub" / "show.sh", site.other / "link-in.sh");
        const std::string link = (site.other / "link-in.sh").string();
        check_refused(spawn(site.settings, request_for(link)), link + ": not inside a CGI folder");
    }
    SECTION("no CGI folder at all") {
        site.settings.cgi_folders.clear();
        const std::string inside = (site.cgi / "show.sh").string();
        check_refused(spawn(site.settings, request_for(inside)), inside + ": not inside a CGI folder");
    }
}

TEST_CASE("spawn_script: symlinks that stay inside the CGI folder", "[launcher][spawn]") {
    Site site;
    fs::create_symlink("sub/show.sh", site.cgi / "link.sh");
    const std::string link = (site.cgi / "link.sh").string();
    SECTION("are followed by default") {
        const Run run = spawn(site.settings, request_for(link));
        REQUIRE(run.outcome.pid > 0);
        CHECK(run.out == "sub\n");
    }
    SECTION("are refused with files.symlinks = never") {
        site.settings.symlinks_never = true;
        check_refused(spawn(site.settings, request_for(link)),
                      link + kOpening +
                          "Too many levels of symbolic links (a symlink on the way, and files.symlinks is "
                          "\"never\")");
    }
    SECTION("the CGI folder itself is opened again for each request, through the path configured") {
        // Re-linked after the settings were made: the folder it names now is the CGI folder.
        const fs::path moved = site.dir.path / "moved-cgi";
        fs::rename(site.cgi, moved);
        fs::create_directory_symlink(moved, site.cgi);
        site.settings.symlinks_never = true;  // below the folder; the configured path is the admin's
        const Run run = spawn(site.settings, request_for(site.cgi / "sub" / "show.sh"));
        REQUIRE(run.outcome.pid > 0);
        CHECK(run.out == "sub\n");
    }
}

TEST_CASE("spawn_script: files.dotfiles = deny refuses hidden scripts and folders", "[launcher][spawn]") {
    Site site;
    const std::string hidden = site.script("cgi-bin/.hidden.sh", "#!/bin/sh\necho hidden\n");
    const std::string in_hidden = site.script("cgi-bin/.git/x.sh", "#!/bin/sh\necho hidden\n");
    CHECK(spawn(site.settings, request_for(hidden)).out == "hidden\n");
    site.settings.dotfiles_deny = true;
    for (const std::string& path : {hidden, in_hidden}) {
        check_refused(spawn(site.settings, request_for(path)),
                      path + ": a name starting with '.', and files.dotfiles is \"deny\"");
    }
    SpawnRequest in_hidden_folder = request_for(site.cgi / "show.sh");
    in_hidden_folder.cwd = (site.cgi / ".git").string();
    check_refused(spawn(site.settings, in_hidden_folder),
                  in_hidden_folder.script + ": a name starting with '.', and files.dotfiles is \"deny\"");
    CHECK(spawn(site.settings, request_for(site.cgi / "show.sh")).outcome.pid > 0);  // the folder itself is fine
}

TEST_CASE("spawn_script: only plain files the account may execute", "[launcher][spawn]") {
    Site site;
    const std::string sub = (site.cgi / "sub").string();
    check_refused(spawn(site.settings, request_for(sub)), sub + ": not a plain file: Is a directory");
    check_refused(spawn(site.settings, request_for(site.cgi)),
                  site.cgi.string() + ": not a plain file: Is a directory");

    const std::string fifo = (site.cgi / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0755) == 0);
    check_refused(spawn(site.settings, request_for(fifo)), fifo + ": not a plain file: Permission denied");

    const std::string noexec = site.script("cgi-bin/noexec.sh", "#!/bin/sh\necho never\n", fs::perms(0644));
    check_refused(spawn(site.settings, request_for(noexec)),
                  noexec + ": not executable by the CGI account: Permission denied");
}

TEST_CASE("spawn_script: the working folder must be in a CGI folder too", "[launcher][spawn]") {
    Site site;
    SpawnRequest request = request_for(site.cgi / "show.sh");
    request.cwd = site.other.string();
    check_refused(spawn(site.settings, request), site.other.string() + ": working folder not inside a CGI folder");
    request.cwd = (site.cgi / "missing").string();
    check_refused(spawn(site.settings, request),
                  request.script + ": opening its working folder beneath its CGI folder: No such file or directory");
    request.cwd = (site.cgi / "show.sh").string();
    check_refused(spawn(site.settings, request),
                  request.script + ": opening its working folder beneath its CGI folder: Not a directory");
}

TEST_CASE("spawn_script: only meta-variables and HTTP_* reach the script, PATH is the launcher's",
          "[launcher][spawn]") {
    Site site;
    const fs::path env = site.cgi / "env";  // the binary itself: a shell would reorder what it passes on
    fs::copy_file("/usr/bin/env", env);
    SpawnRequest request = request_for(env);
    request.envp = {"LD_PRELOAD=/tmp/evil.so", "QUERY_STRING=a=b", "NOEQUALS", "=value", "", "HTTP_A=1", "HTTP_A=2"};
    const Run run = spawn(site.settings, request);
    REQUIRE(run.outcome.pid > 0);
    CHECK(run.out == "PATH=/usr/local/bin:/usr/bin:/bin\nQUERY_STRING=a=b\nHTTP_A=1\n");
    CHECK(run.outcome.dropped_variables == std::vector<std::string>{"LD_PRELOAD", "NOEQUALS", "", "", "HTTP_A"});
}

TEST_CASE("spawn_script: a failure in the child before exec is reported", "[launcher][spawn]") {
    Site site;
    // Executable, but no #! line and no binary format: execve fails with ENOEXEC.
    const std::string garbage = site.script("cgi-bin/garbage", "not a program\n");
    check_refused(spawn(site.settings, request_for(garbage)), garbage + ": exec: Exec format error");
    // A #! line naming an interpreter that does not exist: ENOENT.
    const std::string orphan = site.script("cgi-bin/orphan.sh", "#!/no/such/interpreter\n");
    check_refused(spawn(site.settings, request_for(orphan)), orphan + ": exec: No such file or directory");
    // A #! line naming none: ENOEXEC, as the kernel says.
    const std::string empty = site.script("cgi-bin/empty.sh", "#!  \t\necho never\n");
    check_refused(spawn(site.settings, request_for(empty)), empty + ": exec: Exec format error");
}

TEST_CASE("spawn_script: a #! script gets its interpreter, its one argument, its path and its arguments",
          "[launcher][spawn]") {
    Site site;
    // The interpreter prints what it was given, one argument a line, and which fds it holds.
    const std::string show_args = site.script("cgi-bin/show-args",
                                              "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\n"
                                              "exec ls /proc/self/fd\n");
    const std::string with_argument =
        site.script("cgi-bin/with-argument.sh", "#! \t" + show_args + " one\ttwo  three \t\nbody\n");
    SpawnRequest request = request_for(with_argument);
    request.argv = {"ignored", "query"};
    const Run run = spawn(site.settings, request);
    REQUIRE(run.outcome.pid > 0);
    // [interpreter, "one\ttwo  three" (one argument, trimmed), the script's path, argv after argv[0]];
    // sh's "$@" leaves out its own $0. Only 0-2 are open (3 is the folder ls lists).
    CHECK(run.out == "[one\ttwo  three]\n[" + with_argument + "]\n[query]\n0\n1\n2\n3\n");

    SECTION("through env, as #!/usr/bin/env python3 is") {
        const std::string via_env = site.script("cgi-bin/via-env.sh", "#!/usr/bin/env sh\necho \"$0|$1\"\n");
        SpawnRequest r = request_for(via_env);
        r.argv = {"via-env.sh", "q"};
        const Run env_run = spawn(site.settings, r);
        REQUIRE(env_run.outcome.pid > 0);
        CHECK(env_run.out == via_env + "|q\n");
    }
}
