// daemon/signal_command: `httpserve -s NAME -c FILE` finds the master through the configured pid_file
// and signals it. The "master" here is a child of the test process (the same program, so that it
// counts as a running httpserve), and the signal is seen in its exit status.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <iostream>
#include <sstream>
#include <string>

#include "config/cli.hpp"
#include "daemon/signal_command.hpp"
#include "tests/unit/support/processes.hpp"
#include "tests/unit/support/temp_dir.hpp"

using namespace httpserve;
using test_support::Child;
using test_support::TempDir;

namespace {

struct Outcome {
    int status;
    std::string error;  // what went to stderr
};

Outcome run(const std::string& name, const std::string& config_file) {
    CommandLine cli;
    cli.signal_name = name;
    cli.config_file = config_file;
    std::ostringstream captured;
    std::streambuf* old = std::cerr.rdbuf(captured.rdbuf());
    int status = -1;
    try {
        status = send_signal_command(cli);
    } catch (...) {
        std::cerr.rdbuf(old);
        throw;
    }
    std::cerr.rdbuf(old);
    return {status, captured.str()};
}

}  // namespace

TEST_CASE("signal command: each name sends its signal to the master", "[daemon][signal_command]") {
    const std::pair<const char*, int> cases[] = {
        {"reload", SIGHUP}, {"stop", SIGTERM}, {"quit", SIGQUIT}, {"reopen", SIGUSR1}};
    for (const auto& [name, sig] : cases) {
        INFO("-s " << name);
        TempDir dir("sigcmd");
        Child master;
        const std::string pid_file = dir.write("h.pid", std::to_string(master.pid()) + "\n");
        const std::string config = dir.write("h.toml", "pid_file = \"" + pid_file + "\"\n");
        const Outcome out = run(name, config);
        CHECK(out.status == 0);
        CHECK(out.error.empty());
        const int status = master.reap();  // the child has no handlers: the signal ends it
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == sig);
    }
}

TEST_CASE("signal command: no master to signal", "[daemon][signal_command]") {
    TempDir dir("sigcmd");
    const std::string pid_file = (dir.path / "h.pid").string();
    const std::string config = dir.write("h.toml", "pid_file = \"" + pid_file + "\"\n");

    SECTION("no pid_file in the config") {
        const std::string bare = dir.write("bare.toml", "workers = 2\n");
        const Outcome out = run("reload", bare);
        CHECK(out.status == 1);
        CHECK(out.error == "httpserve: -s reload: no pid_file is set in " + bare + ", so the master cannot be found\n");
    }
    SECTION("the pid_file does not exist") {
        const Outcome out = run("stop", config);
        CHECK(out.status == 1);
        CHECK(out.error == "httpserve: -s stop: cannot read pid_file " + pid_file +
                               ": No such file or directory (is httpserve running?)\n");
    }
    SECTION("the pid_file holds no pid") {
        dir.write("h.pid", "garbage\n");
        const Outcome out = run("quit", config);
        CHECK(out.status == 1);
        CHECK(out.error == "httpserve: -s quit: pid_file " + pid_file + " does not hold a process id\n");
    }
    SECTION("the master named there has gone") {
        Child gone([] { return 0; });
        const pid_t pid = gone.pid();
        gone.reap();
        dir.write("h.pid", std::to_string(pid) + "\n");
        const Outcome out = run("reopen", config);
        CHECK(out.status == 1);
        CHECK(out.error == "httpserve: -s reopen: the master named in " + pid_file + " (pid " + std::to_string(pid) +
                               ") is not running\n");
    }
    SECTION("the config file cannot be loaded") {
        const std::string missing = (dir.path / "missing.toml").string();
        Outcome out = run("reload", missing);
        CHECK(out.status == 1);
        CHECK(out.error.rfind("httpserve: -s reload: " + missing + ": ", 0) == 0);
        const std::string bad = dir.write("bad.toml", "workres = 2\n");
        out = run("reload", bad);
        CHECK(out.status == 1);
        CHECK(out.error.rfind("httpserve: -s reload: " + bad, 0) == 0);
    }
}
