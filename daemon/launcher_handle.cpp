#include "daemon/launcher_handle.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

#include "ipc/fd_passing.hpp"
#include "ipc/launch_protocol.hpp"
#include "ipc/launcher_control.hpp"
#include "ipc/process_entry.hpp"

namespace httpserve {

namespace {

void log_account(const LauncherSettings& s) {
    if (!s.refuse_reason.empty()) {
        spdlog::warn("CGI: {}; every CGI request is refused (403)", s.refuse_reason);
    } else if (!s.switch_user) {
        spdlog::info("CGI scripts run as the server's user '{}' (not started as root)", s.user);
    } else {
        spdlog::info("CGI scripts run as user '{}', group '{}'", s.user, s.group);
    }
}

bool send_control(const CgiLauncher& launcher, ControlType type, std::string_view payload, std::span<const int> fds) {
    std::string bytes(1, static_cast<char>(type));
    bytes.append(payload);
    // Never block the master on the launcher: its queue is deep, and a full one means it is stuck.
    const int err = send_message(launcher.control.get(), bytes, fds, true);
    if (err != 0) spdlog::error("cgi launcher: cannot send to it: {}", std::strerror(err));
    return err == 0;
}

}  // namespace

CgiLauncher::CgiLauncher(CgiLauncher&& other) noexcept
    : pid(std::exchange(other.pid, -1)), control(std::move(other.control)), owner(std::exchange(other.owner, -1)) {}

CgiLauncher& CgiLauncher::operator=(CgiLauncher&& other) noexcept {
    if (this != &other) {
        stop_cgi_launcher(*this);
        pid = std::exchange(other.pid, -1);
        control = std::move(other.control);
        owner = std::exchange(other.owner, -1);
    }
    return *this;
}

CgiLauncher::~CgiLauncher() { stop_cgi_launcher(*this); }

CgiLauncher start_cgi_launcher(const LauncherSettings& settings) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        throw std::runtime_error(std::string("cgi launcher: socketpair: ") + std::strerror(errno));
    }
    UniqueFd master_end(pair[0]);
    UniqueFd launcher_end(pair[1]);
    allow_message_size(master_end.get(), kMaxControlMessage);
    const pid_t master = ::getpid();
    std::fflush(nullptr);  // nothing buffered may be written twice
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("cgi launcher: fork: ") + std::strerror(errno));
    if (pid == 0) {
        master_end.reset();
        run_cgi_launcher(std::move(launcher_end), settings, master);
    }
    CgiLauncher launcher;
    launcher.pid = pid;
    launcher.control = std::move(master_end);
    launcher.owner = master;
    spdlog::debug("cgi launcher started, pid {}", pid);
    log_account(settings);
    return launcher;
}

UniqueFd connect_worker(const CgiLauncher& launcher) {
    if (!launcher.control) return {};
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair) != 0) {
        spdlog::error("cgi launcher: socketpair: {}", std::strerror(errno));
        return {};
    }
    UniqueFd worker_end(pair[0]);
    UniqueFd launcher_end(pair[1]);
    allow_message_size(worker_end.get(), kMaxLaunchMessage);
    allow_message_size(launcher_end.get(), kMaxLaunchMessage);
    const int fd = launcher_end.get();
    if (!send_control(launcher, ControlType::AddChannel, {}, std::span<const int>(&fd, 1))) return {};
    return worker_end;  // launcher_end closes here: the launcher has its own copy now
}

bool update_cgi_launcher(const CgiLauncher& launcher, const LauncherSettings& settings) {
    if (!launcher.control) return false;
    if (!send_control(launcher, ControlType::Settings, encode_launcher_settings(settings), {})) return false;
    if (!settings.refuse_reason.empty()) log_account(settings);
    return true;
}

void stop_cgi_launcher(CgiLauncher& launcher) {
    if (launcher.pid <= 0 || launcher.owner != ::getpid()) {
        launcher.control.reset();  // a forked copy (a worker) only lets go of the channel
        return;
    }
    ::kill(launcher.pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(launcher.pid, &status, WNOHANG);
        if (r == launcher.pid || (r < 0 && errno == ECHILD)) break;  // ECHILD: the master reaped it already
        if (std::chrono::steady_clock::now() >= deadline) {
            spdlog::warn("cgi launcher (pid {}) did not stop; killing it", launcher.pid);
            ::kill(launcher.pid, SIGKILL);
            while (::waitpid(launcher.pid, &status, 0) < 0 && errno == EINTR) {}
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    launcher.control.reset();
    launcher.pid = -1;
}

}  // namespace httpserve
