// Test driver for the CGI launcher (tests/integration/test_cgi_launcher.py): starts the real
// launcher the way the master does, connects one worker channel, and runs commands read from stdin,
// one per line, answering with lines on stdout.
//
//   cgi_launcher_probe --root DIR [--dir /cgi-bin]... [--user U] [--group G] [--max N] [--marker FILE]
//                      [--dotfiles serve|deny] [--symlinks follow|never]
//     --user makes cgi.user explicit; --marker opens FILE without CLOEXEC before the launcher starts
//     (a stand-in for the listening sockets the launcher must not keep); --dotfiles and --symlinks set
//     files.dotfiles and files.symlinks.
//   Prints "LAUNCHER <pid>", or "ERROR <why>" and exits 1 when the settings are refused.
//
// Commands:
//   env NAME=VALUE | bigenv NAME SIZE | clearenv   build the environment of the next spawns
//   run ID SCRIPT [ARG...]        spawn with stdout+stderr on a pipe; prints SPAWNED ID PID and
//                                 OUTPUT <hex> (after EOF), or FAILED ID CODE MESSAGE, or SENDFAIL MESSAGE
//   runin ID CWD SCRIPT [ARG...]  the same with an explicit working folder
//   start ID SCRIPT [ARG...]      spawn with stdout+stderr on /dev/null; prints SPAWNED/FAILED only
//   kill PID                      KILL request; prints KILLSENT
//   folders DIR...                update_cgi_launcher with these CGI folders; prints UPDATED
//   close | reconnect             drop the worker channel / connect a new one; prints CLOSED / CONNECTED
//   stop                          stop_cgi_launcher; prints STOPPED
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/logging.hpp"
#include "config/config.hpp"
#include "daemon/launcher_config.hpp"
#include "daemon/launcher_handle.hpp"
#include "worker/cgi/launch_client.hpp"

using namespace httpserve;

namespace {

using Clock = std::chrono::steady_clock;

std::string hex(const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

void say(const std::string& line) {
    std::cout << line << "\n";
    std::cout.flush();
}

std::optional<LaunchReply> wait_reply(LaunchClient& client, int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Clock::now() < deadline) {
        if (auto r = client.read_reply()) return r;
        if (client.closed()) return std::nullopt;
        pollfd p{client.fd(), POLLIN, 0};
        ::poll(&p, 1, 100);
    }
    return std::nullopt;
}

std::string read_to_eof(int fd, int timeout_ms) {
    std::string out;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[65536];
    while (Clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

class Probe {
public:
    Probe(CgiLauncher launcher, LauncherSettings settings)
        : launcher_(std::move(launcher)), settings_(std::move(settings)) {
        reconnect();
    }

    void reconnect() { client_ = std::make_unique<LaunchClient>(connect_worker(launcher_)); }

    void spawn(std::istringstream& args, bool capture, bool with_cwd) {
        uint64_t id = 0;
        std::string cwd, script, arg;
        args >> id;
        if (with_cwd) args >> cwd;
        args >> script;
        std::vector<std::string> argv{script};
        while (args >> arg) argv.push_back(arg);

        UniqueFd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        UniqueFd read_end, write_end;
        if (capture) {
            int p[2];
            if (::pipe2(p, O_CLOEXEC) != 0) return say("SENDFAIL pipe");
            read_end.reset(p[0]);
            write_end.reset(p[1]);
        } else {
            write_end.reset(::open("/dev/null", O_WRONLY | O_CLOEXEC));
        }
        std::string error;
        if (!client_->send_spawn(id, script, cwd, argv, env_, null_in.get(), write_end.get(), write_end.get(), error)) {
            return say("SENDFAIL " + error);
        }
        write_end.reset();  // only the script holds the write end now: its exit is our EOF
        auto reply = wait_reply(*client_, 10000);
        if (!reply) return say("NOREPLY " + std::to_string(id));
        if (const auto* f = std::get_if<FailedReply>(&*reply)) {
            return say("FAILED " + std::to_string(f->request_id) + " " + std::to_string(f->code) + " " + f->message);
        }
        const auto& s = std::get<SpawnedReply>(*reply);
        say("SPAWNED " + std::to_string(s.request_id) + " " + std::to_string(s.pid));
        if (capture) say("OUTPUT " + hex(read_to_eof(read_end.get(), 20000)));
    }

    void run(std::istream& in) {
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream args(line);
            std::string cmd;
            args >> cmd;
            if (cmd == "env") {
                env_.push_back(line.substr(4));
            } else if (cmd == "bigenv") {
                std::string name;
                size_t size = 0;
                args >> name >> size;
                env_.push_back(name + "=" + std::string(size, 'x'));
            } else if (cmd == "clearenv") {
                env_.clear();
            } else if (cmd == "run" || cmd == "runin" || cmd == "start") {
                spawn(args, cmd != "start", cmd == "runin");
            } else if (cmd == "kill") {
                pid_t pid = 0;
                args >> pid;
                say(client_->send_kill(pid) ? "KILLSENT" : "KILLFAIL");
            } else if (cmd == "folders") {
                settings_.cgi_folders.clear();
                std::string dir;
                while (args >> dir) settings_.cgi_folders.push_back(dir);
                say(update_cgi_launcher(launcher_, settings_) ? "UPDATED" : "UPDATEFAIL");
            } else if (cmd == "close") {
                client_ = std::make_unique<LaunchClient>(UniqueFd());
                say("CLOSED");
            } else if (cmd == "reconnect") {
                reconnect();
                say("CONNECTED");
            } else if (cmd == "stop") {
                stop_cgi_launcher(launcher_);
                say("STOPPED");
            } else if (!cmd.empty()) {
                say("UNKNOWN " + cmd);
            }
        }
    }

private:
    CgiLauncher launcher_;
    LauncherSettings settings_;
    std::unique_ptr<LaunchClient> client_;
    std::vector<std::string> env_;
};

}  // namespace

int main(int argc, char** argv) {
    Config config;
    config.cgi.directories.clear();
    std::string marker;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string opt = argv[i], value = argv[i + 1];
        if (opt == "--root") config.files.root = value;
        else if (opt == "--dir") config.cgi.directories.push_back(value);
        else if (opt == "--user") config.cgi.user = value, config.cgi.user_explicit = true;
        else if (opt == "--group") config.cgi.group = value;
        else if (opt == "--max") config.cgi.max_processes = static_cast<unsigned>(std::stoul(value));
        else if (opt == "--marker") marker = value;
        else if (opt == "--dotfiles")
            config.files.dotfiles = value == "deny" ? DotfilePolicy::Deny : DotfilePolicy::Serve;
        else if (opt == "--symlinks")
            config.files.symlinks = value == "never" ? SymlinkPolicy::Never : SymlinkPolicy::Follow;
        else {
            std::cerr << "unknown option " << opt << "\n";
            return 2;
        }
    }
    if (config.cgi.directories.empty()) config.cgi.directories = {"/cgi-bin", "/htbin"};
    setup_error_log("stderr", LogLevel::Debug);
    set_log_role("probe");
    // Deliberately inherited by the fork: the launcher must close it.
    if (!marker.empty() && ::open(marker.c_str(), O_RDONLY) < 0) return 2;

    LauncherSettings settings;
    try {
        settings = launcher_settings_from(config);
    } catch (const std::exception& e) {
        say(std::string("ERROR ") + e.what());
        return 1;
    }
    CgiLauncher launcher = start_cgi_launcher(settings);
    say("LAUNCHER " + std::to_string(launcher.pid));
    Probe probe(std::move(launcher), settings);
    probe.run(std::cin);
    return 0;
}
