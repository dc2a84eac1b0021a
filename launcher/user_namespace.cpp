#include "launcher/user_namespace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "common/unique_fd.hpp"

namespace httpserve {

namespace {

// Writes `text` to /proc/<pid>/<file> in one write(2), as the kernel requires for the id maps.
int write_proc_file(pid_t pid, const char* file, const std::string& text) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/%s", static_cast<int>(pid), file);
    UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
    if (!fd) return errno;
    const ssize_t n = ::write(fd.get(), text.data(), text.size());
    if (n < 0) return errno;
    return static_cast<size_t>(n) == text.size() ? 0 : EIO;
}

std::string failure(const char* what, int error) { return std::string(what) + ": " + std::strerror(error); }

// Not root: a process may map its own uid and gid (once setgroups is denied) without any capability.
std::string map_own_ids(uid_t uid, gid_t gid) {
    if (int e = write_proc_file(::getpid(), "setgroups", "deny")) return failure("writing setgroups", e);
    if (int e = write_proc_file(::getpid(), "uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1\n"))
        return failure("writing uid_map", e);
    if (int e = write_proc_file(::getpid(), "gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1\n"))
        return failure("writing gid_map", e);
    return "";
}

// Root: every id maps to itself, so that the launcher can switch a script to any account; every id
// but uid 0, whose mapping the kernel grants only with CAP_SETFCAP (which the systemd unit does not
// give), and which nothing here needs: the launcher acts with its capabilities in the namespace, and
// a script could never become root inside it either. Only a process outside the new namespace with
// CAP_SETUID/CAP_SETGID there may write such maps: a child forked before the unshare, which waits for
// the word, writes, and exits with 0 or the errno.
constexpr const char* kUidMap = "1 1 4294967294\n";
constexpr const char* kGidMap = "0 0 4294967295\n";

[[noreturn]] void run_map_writer(int go_fd, pid_t launcher) {
    char go = 0;
    if (::read(go_fd, &go, 1) != 1) ::_exit(ECANCELED);
    int e = write_proc_file(launcher, "uid_map", kUidMap);
    if (e == 0) e = write_proc_file(launcher, "gid_map", kGidMap);
    ::_exit(e);
}

}  // namespace

std::string enter_own_user_namespace() {
    const uid_t uid = ::geteuid();
    const gid_t gid = ::getegid();
    if (uid != 0) {
        if (::unshare(CLONE_NEWUSER) != 0) return failure("unshare(CLONE_NEWUSER)", errno);
        return map_own_ids(uid, gid);
    }
    int go[2];
    if (::pipe2(go, O_CLOEXEC) != 0) return failure("pipe", errno);
    UniqueFd go_read(go[0]);
    UniqueFd go_write(go[1]);
    const pid_t launcher = ::getpid();
    const pid_t writer = ::fork();
    if (writer < 0) return failure("fork", errno);
    if (writer == 0) {
        go_write.reset();
        run_map_writer(go_read.get(), launcher);
    }
    go_read.reset();
    const int unshared = ::unshare(CLONE_NEWUSER) == 0 ? 0 : errno;
    if (unshared == 0) (void)::write(go_write.get(), "g", 1);
    go_write.reset();  // without the word, the writer exits at once
    int status = 0;
    while (::waitpid(writer, &status, 0) < 0 && errno == EINTR) {}
    if (unshared != 0) return failure("unshare(CLONE_NEWUSER)", unshared);
    if (!WIFEXITED(status)) return "the id map writer died";
    if (WEXITSTATUS(status) != 0) return failure("writing the id maps", WEXITSTATUS(status));
    return "";
}

}  // namespace httpserve
