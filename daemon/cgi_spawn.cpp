#include "daemon/cgi_spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "worker/cgi_launch/script_rules.hpp"

namespace httpserve {

namespace {

// What the child was doing when it failed; sent with errno through the error pipe.
enum class ChildStep : int { Setsid, Setgroups, Setgid, Setuid, RootCheck, Signals, Fds, Chdir, Exec };

const char* step_name(ChildStep step) {
    switch (step) {
        case ChildStep::Setsid: return "setsid";
        case ChildStep::Setgroups: return "setgroups";
        case ChildStep::Setgid: return "setgid";
        case ChildStep::Setuid: return "setuid";
        case ChildStep::RootCheck: return "root could be regained after the switch";
        case ChildStep::Signals: return "resetting signals";
        case ChildStep::Fds: return "setting up fds";
        case ChildStep::Chdir: return "chdir";
        case ChildStep::Exec: return "exec";
    }
    return "?";
}

struct ChildFailure {
    int step;
    int error;
};

SpawnOutcome refuse(int code, std::string message, std::string script = {}) {
    SpawnOutcome o;
    o.code = code;
    o.message = std::move(message);
    o.script = std::move(script);
    return o;
}

bool canonical(const std::string& path, std::string& out) {
    char buf[PATH_MAX];
    if (!::realpath(path.c_str(), buf)) return false;
    out = buf;
    return true;
}

// Resolved again for each request: a folder may have been created (or re-linked) since start.
bool inside_cgi_folder(const LauncherSettings& settings, const std::string& resolved) {
    for (const std::string& folder : settings.cgi_folders) {
        std::string real;
        if (canonical(folder, real) && is_inside_folder(resolved, real)) return true;
    }
    return false;
}

bool executable_by_target(const LauncherSettings& settings, const std::string& path, const struct stat& st) {
    // When not switching, the launcher runs as the target account: the kernel can answer (ACLs too).
    if (!settings.switch_user) return ::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) == 0;
    return executable_by(st.st_mode, st.st_uid, st.st_gid, settings.uid, settings.gid);
}

// Everything the child needs, built before fork: after fork only async-signal-safe calls.
struct ExecImage {
    std::vector<std::string> argv_storage;
    std::vector<char*> argv;
    std::vector<char*> envp;
};

void build_image(const SpawnRequest& request, const std::string& script, std::vector<std::string>& envp_storage,
                 ExecImage& image) {
    image.argv_storage = request.argv.empty() ? std::vector<std::string>{script} : request.argv;
    for (std::string& a : image.argv_storage) image.argv.push_back(a.data());
    image.argv.push_back(nullptr);
    for (std::string& e : envp_storage) image.envp.push_back(e.data());
    image.envp.push_back(nullptr);
}

[[noreturn]] void child_fail(int pipe_fd, ChildStep step, int error) {
    const ChildFailure f{static_cast<int>(step), error};
    [[maybe_unused]] ssize_t n = ::write(pipe_fd, &f, sizeof f);
    ::_exit(127);
}

// The child, between fork and exec. Order matters: leave the launcher's process group first (so a
// KILL of the group can never reach the launcher), then the account (groups before gid before uid:
// each later step removes the right to the earlier ones), then the process state.
[[noreturn]] void child_main(const LauncherSettings& settings, const std::string& script, const std::string& cwd,
                             const ExecImage& image, int in_fd, int out_fd, int err_fd, int pipe_fd) {
    if (::setsid() < 0) child_fail(pipe_fd, ChildStep::Setsid, errno);
    if (settings.switch_user) {
        if (::setgroups(0, nullptr) != 0) child_fail(pipe_fd, ChildStep::Setgroups, errno);
        if (::setgid(settings.gid) != 0) child_fail(pipe_fd, ChildStep::Setgid, errno);
        if (::setuid(settings.uid) != 0) child_fail(pipe_fd, ChildStep::Setuid, errno);
        if (::setuid(0) == 0 || ::setgid(0) == 0 || ::geteuid() == 0 || ::getegid() == 0 ||
            ::getgroups(0, nullptr) != 0) {
            child_fail(pipe_fd, ChildStep::RootCheck, EPERM);
        }
    }
    // Ignored signals survive exec, and the launcher blocks the ones it reads from its signalfd.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);  // EINVAL for glibc's own: fine
    }
    sigset_t none;
    sigemptyset(&none);
    if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) child_fail(pipe_fd, ChildStep::Signals, errno);
    // The received fds are all >= 3 (the launcher keeps 0, 1 and 2 open), so dup2 cannot clobber one
    // before it is copied. dup2 clears CLOEXEC on the copies.
    if (::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) {
        child_fail(pipe_fd, ChildStep::Fds, errno);
    }
    // Everything else goes, except the CLOEXEC error pipe, which exec itself closes.
    if ((pipe_fd > 3 && ::close_range(3, static_cast<unsigned>(pipe_fd) - 1, 0) != 0) ||
        ::close_range(static_cast<unsigned>(pipe_fd) + 1, ~0U, 0) != 0) {
        child_fail(pipe_fd, ChildStep::Fds, errno);
    }
    if (::chdir(cwd.c_str()) != 0) child_fail(pipe_fd, ChildStep::Chdir, errno);
    ::execve(script.c_str(), image.argv.data(), image.envp.data());
    child_fail(pipe_fd, ChildStep::Exec, errno);
}

}  // namespace

SpawnOutcome spawn_script(const LauncherSettings& settings, const SpawnRequest& request, const UniqueFd& in_fd,
                          const UniqueFd& out_fd, const UniqueFd& err_fd) {
    const std::string& asked = request.script;
    if (!settings.refuse_reason.empty()) return refuse(EPERM, settings.refuse_reason, asked);
    if (asked.empty() || asked.front() != '/') return refuse(EINVAL, "script path is not absolute: " + asked, asked);

    std::string script;
    if (!canonical(asked, script)) {
        const int err = errno;
        return refuse(err, asked + ": " + std::strerror(err), asked);
    }
    if (!inside_cgi_folder(settings, script)) {
        return refuse(EPERM, script + ": not inside a CGI folder", script);
    }
    struct stat st {};
    if (::stat(script.c_str(), &st) != 0) {
        const int err = errno;
        return refuse(err, script + ": " + std::strerror(err), script);
    }
    if (S_ISDIR(st.st_mode)) return refuse(EISDIR, script + ": is a directory, not a plain file", script);
    if (!S_ISREG(st.st_mode)) return refuse(EACCES, script + ": not a plain file", script);
    if (!executable_by_target(settings, script, st)) {
        return refuse(EACCES, script + ": not executable by " + settings.user, script);
    }

    std::string cwd;
    if (request.cwd.empty()) {
        cwd = script.substr(0, script.rfind('/'));
        if (cwd.empty()) cwd = "/";
    } else if (!canonical(request.cwd, cwd) || !inside_cgi_folder(settings, cwd)) {
        return refuse(EPERM, request.cwd + ": working folder not inside a CGI folder", script);
    }

    std::vector<std::string> envp = request.envp;
    for (const std::string& e : envp) {
        if (e.find('=') == std::string::npos || e.front() == '=') {
            return refuse(EINVAL, script + ": malformed environment entry", script);
        }
    }
    ExecImage image;
    build_image(request, script, envp, image);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        const int err = errno;
        return refuse(err, std::string("pipe: ") + std::strerror(err), script);
    }
    UniqueFd report_read(pipe_fds[0]);
    UniqueFd report_write(pipe_fds[1]);

    const pid_t pid = ::fork();
    if (pid < 0) {
        const int err = errno;
        return refuse(err, std::string("fork: ") + std::strerror(err), script);
    }
    if (pid == 0) {
        report_read.reset();
        child_main(settings, script, cwd, image, in_fd.get(), out_fd.get(), err_fd.get(), report_write.get());
    }
    report_write.reset();

    // EOF: exec succeeded (the pipe closed with it). A full record: the child failed and exits.
    ChildFailure failure{};
    ssize_t n;
    do {
        n = ::read(report_read.get(), &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    if (n == 0) {
        SpawnOutcome ok;
        ok.pid = pid;
        ok.script = script;
        return ok;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(sizeof failure)) return refuse(EIO, script + ": lost the child's report", script);
    const auto step = static_cast<ChildStep>(failure.step);
    return refuse(failure.error, script + ": " + step_name(step) + ": " + std::strerror(failure.error), script);
}

}  // namespace httpserve
