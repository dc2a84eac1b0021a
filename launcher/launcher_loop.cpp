#include "ipc/process_entry.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <stdexcept>
#include <vector>

#include "common/escape.hpp"
#include "common/logging.hpp"
#include "ipc/fd_passing.hpp"
#include "ipc/launch_protocol.hpp"
#include "ipc/launcher_control.hpp"
#include "launcher/capabilities.hpp"
#include "launcher/signals.hpp"
#include "launcher/spawn_script.hpp"
#include "launcher/user_namespace.hpp"

namespace httpserve {

namespace {

using Clock = std::chrono::steady_clock;

// How long a script's group gets between TERM and KILL.
constexpr auto kKillGrace = std::chrono::seconds(2);
// Messages read from one channel per loop turn, so one busy worker cannot starve the others.
constexpr int kBurst = 32;

struct Channel {
    uint64_t id = 0;
    UniqueFd fd;
    bool closed = false;
};

// A started script, keyed by its pid (== its process group id). It is the init of its own PID
// namespace: when it ends, the kernel kills and reaps everything it started before its own exit
// can be waited for, so its group is empty once it is reaped and the entry goes then.
struct Script {
    uint64_t serial = 0;  // tells this script from a later one that got the same pid
    uint64_t channel = 0;
    std::string path;
    bool kill_requested = false;
};

struct PendingKill {
    pid_t pgid;
    uint64_t serial;
    Clock::time_point at;
};

// The names a worker sent, for the log: bytes outside printable ASCII as \xNN, so that a name
// cannot start a line of its own; at most the first few.
std::string variable_names_for_log(const std::vector<std::string>& names) {
    constexpr size_t kShown = 8;
    std::string out;
    for (size_t i = 0; i < names.size() && i < kShown; ++i) {
        if (i > 0) out += ", ";
        for (const char c : names[i]) {
            const auto byte = static_cast<unsigned char>(c);
            if (byte < 0x20 || byte >= 0x7f || c == '\\') {
                append_backslash_x(out, byte);
            } else {
                out.push_back(c);
            }
        }
    }
    if (names.size() > kShown) out += ", ...";
    return out;
}

class Launcher {
public:
    // `uncontained`: why scripts cannot have a PID namespace of their own ("" when they can); then
    // every spawn is refused.
    Launcher(UniqueFd control, LauncherSettings settings, std::string uncontained)
        : control_(std::move(control)), settings_(std::move(settings)), uncontained_(std::move(uncontained)) {}
    [[noreturn]] void run();

private:
    void open_signalfd();
    void reopen_error_log();
    int poll_timeout() const;
    void handle_signals();
    void handle_control();
    void handle_channel(Channel& channel);
    void handle_spawn(Channel& channel, const SpawnRequest& request);
    void handle_kill(const Channel& channel, pid_t pid);
    void reply(Channel& channel, const LaunchReply& reply);
    void stop_group(pid_t pgid, Script& script);
    void reap();
    void fire_due_kills();
    size_t scripts_of(uint64_t channel) const;
    [[noreturn]] void shut_down(const char* why);

    UniqueFd control_;
    LauncherSettings settings_;
    std::string uncontained_;
    UniqueFd signals_;
    std::vector<Channel> channels_;
    uint64_t next_channel_id_ = 1;
    uint64_t next_serial_ = 1;
    std::map<pid_t, Script> scripts_;
    std::vector<PendingKill> pending_kills_;
    ReceivedMessage incoming_;
};

void Launcher::open_signalfd() {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGUSR1);
    // Exactly these blocked (read from the signalfd); nothing else, whatever the master blocked.
    ::sigprocmask(SIG_SETMASK, &mask, nullptr);
    signals_.reset(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!signals_) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
}

void Launcher::reopen_error_log() {
    if (settings_.error_log.empty() || settings_.error_log == "stderr") return;
    try {
        setup_error_log(settings_.error_log, settings_.log_level);
        set_log_role("cgi launcher");
    } catch (const std::exception& e) { spdlog::error("cgi launcher: {}; keeping the current error log", e.what()); }
}

int Launcher::poll_timeout() const {
    auto next = Clock::time_point::max();
    for (const PendingKill& k : pending_kills_) next = std::min(next, k.at);
    if (next == Clock::time_point::max()) return -1;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count() + 1;
    return static_cast<int>(std::clamp<long long>(ms, 0, std::numeric_limits<int>::max()));
}

void Launcher::handle_signals() {
    signalfd_siginfo info{};
    while (::read(signals_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        switch (info.ssi_signo) {
            case SIGCHLD: reap(); break;
            case SIGTERM: shut_down("SIGTERM");
            case SIGUSR1: reopen_error_log(); break;
            default: break;
        }
    }
}

void Launcher::handle_control() {
    for (int i = 0; i < kBurst; ++i) {
        switch (receive_message(control_.get(), kMaxControlMessage, 1, incoming_)) {
            case ReceiveStatus::WouldBlock: return;
            case ReceiveStatus::Closed: shut_down("the master closed the control channel");
            case ReceiveStatus::Error: shut_down("control channel error");
            case ReceiveStatus::Message: break;
        }
        const std::string_view bytes = incoming_.bytes();
        const auto type = bytes.empty() ? ControlType{} : static_cast<ControlType>(bytes[0]);
        if (incoming_.truncated) {
            spdlog::error("cgi launcher: oversized control message ignored");
        } else if (type == ControlType::AddChannel && bytes.size() == 1 && incoming_.fds.size() == 1) {
            Channel channel;
            channel.id = next_channel_id_++;
            channel.fd = std::move(incoming_.fds[0]);
            const int flags = ::fcntl(channel.fd.get(), F_GETFL);
            ::fcntl(channel.fd.get(), F_SETFL, flags | O_NONBLOCK);
            channels_.push_back(std::move(channel));
        } else if (type == ControlType::Settings && incoming_.fds.empty()) {
            if (auto s = decode_launcher_settings(bytes.substr(1))) {
                const bool log_moved = s->error_log != settings_.error_log || s->log_level != settings_.log_level;
                settings_ = std::move(*s);
                if (log_moved) reopen_error_log();
                spdlog::info("cgi launcher: settings updated ({} CGI folder(s), scripts run as '{}')",
                             settings_.cgi_folders.size(), settings_.user);
            } else {
                spdlog::error("cgi launcher: invalid settings ignored");
            }
        } else {
            spdlog::error("cgi launcher: malformed control message ignored");
        }
        incoming_.fds.clear();
    }
}

void Launcher::handle_channel(Channel& channel) {
    for (int i = 0; i < kBurst && !channel.closed; ++i) {
        switch (receive_message(channel.fd.get(), kMaxLaunchMessage, kSpawnFdCount, incoming_)) {
            case ReceiveStatus::WouldBlock: return;
            case ReceiveStatus::Closed:
            case ReceiveStatus::Error: channel.closed = true; return;
            case ReceiveStatus::Message: break;
        }
        std::optional<LaunchRequest> request;
        if (!incoming_.truncated) request = decode_launch_request(incoming_.bytes());
        if (!request) {
            spdlog::warn("cgi launcher: malformed request from a worker ignored");
        } else if (auto* spawn = std::get_if<SpawnRequest>(&*request)) {
            handle_spawn(channel, *spawn);
        } else {
            handle_kill(channel, std::get<KillRequest>(*request).pid);
        }
        incoming_.fds.clear();  // our copies of the script's fds: the worker must see EOF when it ends
    }
}

void Launcher::handle_spawn(Channel& channel, const SpawnRequest& request) {
    if (incoming_.fds.size() != kSpawnFdCount) {
        spdlog::warn("cgi: {}: request came with {} fd(s) instead of {}", request.script, incoming_.fds.size(),
                     kSpawnFdCount);
        reply(channel, FailedReply{request.request_id, EINVAL, "spawn request without its 3 fds"});
        return;
    }
    if (!uncontained_.empty()) {
        // A script that could signal the workers, or leave processes behind, is not started at all.
        spdlog::warn("cgi: {}: refused: scripts cannot be contained ({})", request.script, uncontained_);
        reply(channel, FailedReply{request.request_id, kRefusedCode, kRefusedMessage});
        return;
    }
    if (scripts_of(channel.id) >= settings_.max_per_channel) {
        spdlog::warn("cgi: {}: refused, {} scripts already running for this worker", request.script,
                     settings_.max_per_channel);
        reply(channel, FailedReply{request.request_id, EAGAIN, "too many CGI scripts running"});
        return;
    }
    SpawnOutcome outcome =
        spawn_script(settings_, request, incoming_.fds[0], incoming_.fds[1], incoming_.fds[2], ScriptPidNamespace::Own);
    if (outcome.pid < 0) {
        spdlog::warn("cgi: {}", outcome.detail);
        reply(channel, FailedReply{request.request_id, outcome.code, outcome.message});
        return;
    }
    if (!outcome.dropped_variables.empty()) {
        spdlog::warn("cgi: {}: {} environment variable(s) from the worker not passed on: {}", outcome.script,
                     outcome.dropped_variables.size(), variable_names_for_log(outcome.dropped_variables));
    }
    scripts_[outcome.pid] = Script{next_serial_++, channel.id, outcome.script};
    spdlog::debug("cgi: {} started (pid {})", outcome.script, outcome.pid);
    reply(channel, SpawnedReply{request.request_id, outcome.pid});
}

void Launcher::handle_kill(const Channel& channel, pid_t pid) {
    auto it = scripts_.find(pid);
    // Only a script this channel started: a worker cannot signal anything else through us.
    if (it == scripts_.end() || it->second.channel != channel.id) return;
    if (!it->second.kill_requested) {
        spdlog::info("cgi: {} (pid {}) is being stopped on the worker's request", it->second.path, pid);
        stop_group(pid, it->second);
    }
}

void Launcher::reply(Channel& channel, const LaunchReply& reply) {
    const int err = send_message(channel.fd.get(), encode_launch_reply(reply), {}, true);
    if (err == 0) return;
    // The worker will never learn about this script, so it must not run unattended.
    if (const auto* spawned = std::get_if<SpawnedReply>(&reply)) {
        auto it = scripts_.find(spawned->pid);
        if (it != scripts_.end()) stop_group(spawned->pid, it->second);
    }
    spdlog::warn("cgi launcher: cannot answer a worker: {}", std::strerror(err));
    if (err != EAGAIN) channel.closed = true;
}

void Launcher::stop_group(pid_t pgid, Script& script) {
    script.kill_requested = true;
    ::kill(-pgid, SIGTERM);
    pending_kills_.push_back({pgid, script.serial, Clock::now() + kKillGrace});
}

void Launcher::reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        auto it = scripts_.find(pid);
        if (it == scripts_.end()) continue;
        Script& s = it->second;
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
            spdlog::warn("cgi: {} (pid {}) exited with status {}", s.path, pid, WEXITSTATUS(status));
        } else if (WIFSIGNALED(status)) {
            if (s.kill_requested) {
                spdlog::info("cgi: {} (pid {}) killed by signal {}", s.path, pid, WTERMSIG(status));
            } else {
                spdlog::warn("cgi: {} (pid {}) killed by signal {}", s.path, pid, WTERMSIG(status));
            }
        } else {
            spdlog::debug("cgi: {} (pid {}) exited with status 0", s.path, pid);
        }
        scripts_.erase(it);
    }
}

void Launcher::fire_due_kills() {
    const auto now = Clock::now();
    std::erase_if(pending_kills_, [&](const PendingKill& k) {
        if (k.at > now) return false;
        // Only while we still know the group: once it emptied, its id may belong to someone else.
        auto it = scripts_.find(k.pgid);
        if (it != scripts_.end() && it->second.serial == k.serial) ::kill(-k.pgid, SIGKILL);
        return true;
    });
}

size_t Launcher::scripts_of(uint64_t channel) const {
    return std::count_if(scripts_.begin(), scripts_.end(),
                         [channel](const auto& s) { return s.second.channel == channel; });
}

void Launcher::shut_down(const char* why) {
    spdlog::info("cgi launcher: stopping ({}); {} script(s) running", why, scripts_.size());
    for (auto& [pgid, script] : scripts_) {
        if (!script.kill_requested) stop_group(pgid, script);
    }
    const auto deadline = Clock::now() + kKillGrace;
    while (!scripts_.empty() && Clock::now() < deadline) {
        pollfd p{signals_.get(), POLLIN, 0};
        ::poll(&p, 1, 100);
        signalfd_siginfo info{};
        while (::read(signals_.get(), &info, sizeof info) > 0) {}
        reap();
    }
    for (const auto& entry : scripts_) ::kill(-entry.first, SIGKILL);
    std::fflush(nullptr);
    ::_exit(0);
}

void Launcher::run() {
    open_signalfd();
    std::vector<pollfd> fds;
    for (;;) {
        fds.clear();
        fds.push_back({signals_.get(), POLLIN, 0});
        fds.push_back({control_.get(), POLLIN, 0});
        for (const Channel& c : channels_) fds.push_back({c.fd.get(), POLLIN, 0});
        const size_t polled_channels = channels_.size();
        if (::poll(fds.data(), fds.size(), poll_timeout()) < 0 && errno != EINTR) { shut_down("poll failed"); }
        if (fds[0].revents) handle_signals();
        // Control first: a worker's request that follows a settings update in time must see it.
        // handle_control only appends channels, so the indices below stay valid.
        if (fds[1].revents) handle_control();
        for (size_t i = 0; i < polled_channels; ++i) {
            if (fds[i + 2].revents) handle_channel(channels_[i]);
        }
        for (Channel& c : channels_) {
            if (!c.closed) continue;
            // The worker is gone (or broke the protocol): nobody will read its scripts' output.
            for (auto& [pgid, script] : scripts_) {
                if (script.channel == c.id && !script.kill_requested) stop_group(pgid, script);
            }
        }
        std::erase_if(channels_, [](const Channel& c) { return c.closed; });
        fire_due_kills();
    }
}

// Scripts must never reach the terminal the server was started from. They inherit the launcher's
// controlling terminal and, not being session leaders, cannot acquire one; so the launcher lets go
// of its own, but stays in the master's session: a session (setsid) is also a scheduler autogroup,
// which made every script compete with the worker as a separate group.
void drop_controlling_terminal() {
    UniqueFd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    if (!tty && errno == ENXIO) return;  // none
    // Only a session leader's TIOCNOTTY would hang up the terminal's foreground group.
    if (tty && ::getsid(0) != ::getpid() && ::ioctl(tty.get(), TIOCNOTTY) == 0) return;
    // Cannot tell or cannot let go: a session of its own, then, which has no terminal.
    if (::setsid() < 0) throw std::runtime_error(std::string("setsid: ") + std::strerror(errno));
}

// The launcher starts as a copy of the master: put everything it inherited in order before
// listening to anyone. Returns why scripts cannot be contained, or "".
std::string become_launcher(const UniqueFd& control, const LauncherSettings& settings, pid_t master) {
    // Die with the master (the launcher keeps its credentials, so this setting sticks).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != master) ::_exit(0);
    drop_controlling_terminal();

    // Swap the inherited logger for stderr first, so that closing the fds below cannot pull a file
    // out from under a live logger; then close everything but 0-2 and the control channel.
    setup_error_log("stderr", settings.log_level);
    set_log_role("cgi launcher");
    const int keep = control.get();
    if (keep > 3) ::close_range(3, static_cast<unsigned>(keep) - 1, 0);
    ::close_range(static_cast<unsigned>(keep) + 1, ~0U, 0);
    // stdin/stdout are of no use here, and holding a caller's pipe open would hide its EOF.
    // 0-2 must stay open: the fds received for a script must land at 3 or above.
    if (int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC); null_fd >= 0) {
        ::dup2(null_fd, 0);
        ::dup2(null_fd, 1);
        if (::fcntl(2, F_GETFD) < 0) ::dup2(null_fd, 2);
        if (null_fd > 2) ::close(null_fd);
    }
    if (settings.error_log != "stderr" && !settings.error_log.empty()) {
        try {
            setup_error_log(settings.error_log, settings.log_level);
            set_log_role("cgi launcher");
        } catch (const std::exception& e) { spdlog::error("cgi launcher: {}; logging to stderr", e.what()); }
    }

    // Inherited dispositions are the master's handlers; the master decides about INT/QUIT/HUP.
    // Every disposition is set here, none to a handler: start_child relies on it.
    // SIGCHLD, SIGTERM and SIGUSR1 are read from the signalfd.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);  // EINVAL for glibc's own: fine
    }
    for (int sig : kLauncherIgnoredSignals) std::signal(sig, SIG_IGN);

    // Neither the launcher nor any script may gain privileges through a set-uid/set-gid/file-caps exec.
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    const bool was_root = ::geteuid() == 0;
    std::string uncontained = enter_own_user_namespace();
    if (!uncontained.empty()) {
        spdlog::error(
            "cgi launcher: scripts cannot get a PID namespace of their own ({}); every CGI request is "
            "refused (403)",
            uncontained);
    }
    if (was_root || uncontained.empty()) {
        const std::string error = keep_only_launcher_capabilities(uncontained.empty());
        if (!error.empty()) spdlog::warn("cgi launcher: cannot trim capabilities: {}", error);
    }
    return uncontained;
}

}  // namespace

void run_cgi_launcher(UniqueFd control, LauncherSettings settings, pid_t master) {
    // Until the signalfd exists, the master's handlers are still installed here and would swallow a
    // TERM from stop_cgi_launcher(): keep these pending instead.
    sigset_t early;
    sigemptyset(&early);
    for (int sig : {SIGCHLD, SIGTERM, SIGUSR1}) sigaddset(&early, sig);
    ::sigprocmask(SIG_BLOCK, &early, nullptr);
    try {
        // 0, 1 and 2 get /dev/null (or stay stderr) below: keep the control channel clear of them.
        if (control.get() < 3) control.reset(::fcntl(control.get(), F_DUPFD_CLOEXEC, 3));
        std::string uncontained = become_launcher(control, settings, master);
        const int flags = ::fcntl(control.get(), F_GETFL);
        ::fcntl(control.get(), F_SETFL, flags | O_NONBLOCK);
        Launcher launcher(std::move(control), std::move(settings), std::move(uncontained));
        launcher.run();
    } catch (const std::exception& e) { spdlog::critical("cgi launcher: {}", e.what()); }
    std::fflush(nullptr);
    ::_exit(1);
}

}  // namespace httpserve
