#include "launcher/spawn_child.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>

#include "launcher/shebang.hpp"
#include "launcher/signals.hpp"

namespace httpserve {

namespace {

// What the child was doing when it failed.
enum class Step : int {
    None,
    Setpgid,
    Setgroups,
    Setgid,
    Setuid,
    RootCheck,
    OpenFolder,
    OpenScript,
    NotPlain,
    NotExecutable,
    OpenCwd,
    Signals,
    Fds,
    Chdir,
    Exec,
    Limits,
    Capabilities
};

const char* step_name(Step step) {
    switch (step) {
        case Step::None: return "?";
        case Step::Setpgid: return "setpgid";
        case Step::Setgroups: return "setgroups";
        case Step::Setgid: return "setgid";
        case Step::Setuid: return "setuid";
        case Step::RootCheck: return "root could be regained after the switch";
        case Step::OpenFolder: return "opening its CGI folder";
        case Step::OpenScript: return "opening it beneath its CGI folder";
        case Step::NotPlain: return "not a plain file";
        case Step::NotExecutable: return "not executable by the CGI account";
        case Step::OpenCwd: return "opening its working folder beneath its CGI folder";
        case Step::Signals: return "resetting signals";
        case Step::Fds: return "setting up fds";
        case Step::Chdir: return "chdir";
        case Step::Exec: return "exec";
        case Step::Limits: return "setting its resource limits";
        case Step::Capabilities: return "dropping capabilities";
    }
    return "?";
}

bool is_opening(Step step) { return step == Step::OpenFolder || step == Step::OpenScript || step == Step::OpenCwd; }

// Where the script's descriptor is put before exec: the first fd after stdin, stdout and stderr.
constexpr int kScriptFd = 3;

// The child's side of the shared memory: it writes its failure here before it exits, and the
// launcher reads it once clone() has returned.
struct Shared {
    const ChildPlan* plan;
    Step step = Step::None;
    int error = 0;
};

// The kernel's signal set, for the raw rt_sigprocmask: glibc's sigprocmask leaves out the signals
// it reserves for itself, and the script must start with none blocked.
using KernelSigset = uint64_t;

[[gnu::no_sanitize_address]] long set_signal_mask(KernelSigset set, KernelSigset* old) {
    return ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, old, sizeof(KernelSigset));
}

// Enough for the few calls the child makes.
constexpr size_t kChildStack = 32 * 1024;

// The functions the child runs are not instrumented by ASan: their frames are on the child's stack.
[[noreturn, gnu::no_sanitize_address]] void fail(Shared& shared, Step step, int error) {
    shared.step = step;
    shared.error = error;
    ::_exit(127);
}

// One resource limit, soft and hard alike, by the raw syscall (glibc's setrlimit is one too, but the
// child makes raw calls only). A CPU limit with soft == hard is a SIGKILL when reached: the script is
// its PID namespace's init, which ignores the SIGXCPU a lower soft limit would send first.
[[gnu::no_sanitize_address]] bool set_limit(int resource, uint64_t value) {
    const struct { uint64_t cur, max; } limit{value, value};
    return ::syscall(SYS_prlimit64, 0, resource, &limit, nullptr) == 0;
}

// After the account switch: the process count is per account (in the launcher's user namespace), so
// it bounds every script of the account together; memory and CPU time bound each script process.
[[gnu::no_sanitize_address]] void apply_limits(Shared& shared) {
    const ScriptLimits& l = shared.plan->limits;
    if (l.processes > 0 && !set_limit(RLIMIT_NPROC, l.processes)) fail(shared, Step::Limits, errno);
    if (l.memory > 0 && !(set_limit(RLIMIT_AS, l.memory) && set_limit(RLIMIT_DATA, l.memory))) {
        fail(shared, Step::Limits, errno);
    }
    if (l.cpu_seconds > 0 && !set_limit(RLIMIT_CPU, l.cpu_seconds)) fail(shared, Step::Limits, errno);
}

// Empties the permitted, effective and inheritable sets. The kernel does so itself at a switch away
// from uid 0 only where uid 0 is mapped, which it is not in the launcher's user namespace
// (launcher/user_namespace.cpp); without this the child would open the script with the launcher's
// rights rather than the account's.
[[gnu::no_sanitize_address]] bool drop_capabilities() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct none[2]{};
    return ::syscall(SYS_capset, &header, none) == 0;
}

[[gnu::no_sanitize_address]] bool still_root_capable(const ChildPlan& p) {
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;
    return ::syscall(SYS_setuid, 0) == 0 || ::syscall(SYS_setgid, 0) == 0 || ::getresuid(&ruid, &euid, &suid) != 0 ||
           ::getresgid(&rgid, &egid, &sgid) != 0 || ruid != p.uid || euid != p.uid || suid != p.uid || rgid != p.gid ||
           egid != p.gid || sgid != p.gid || ::syscall(SYS_getgroups, 0, nullptr) != 0;
}

[[gnu::no_sanitize_address]] int open_beneath(int folder_fd, const char* path, int flags, unsigned long long resolve) {
    open_how how{};
    how.flags = static_cast<unsigned long long>(flags);
    how.resolve = resolve;
    return static_cast<int>(::syscall(SYS_openat2, folder_fd, path, &how, sizeof how));
}

// Opens the script beneath its folder and checks that descriptor: a plain file the account may
// execute (the kernel answers, with ACLs and noexec mounts). Returns the descriptor (close-on-exec):
// readable when the account may read the file, so that its #! line is read from the very file
// checked; else O_PATH (an execute-only binary, which the kernel runs from the descriptor).
// O_NONBLOCK: opening a FIFO someone put there must not block the launcher (it waits for this
// child); it is refused as not plain a moment later.
[[gnu::no_sanitize_address]] int open_script(Shared& shared, int folder_fd, bool& readable) {
    const ChildPlan& p = *shared.plan;
    int fd = open_beneath(folder_fd, p.script, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, p.resolve);
    readable = fd >= 0;
    if (fd < 0 && errno == EACCES) fd = open_beneath(folder_fd, p.script, O_PATH | O_CLOEXEC, p.resolve);
    if (fd < 0) fail(shared, Step::OpenScript, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail(shared, Step::OpenScript, errno);
    if (S_ISDIR(st.st_mode)) fail(shared, Step::NotPlain, EISDIR);
    if (!S_ISREG(st.st_mode)) fail(shared, Step::NotPlain, EACCES);
    if (::syscall(SYS_faccessat2, fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0) {
        fail(shared, Step::NotExecutable, errno);
    }
    return fd;
}

// Changes to the working folder, opened beneath its CGI folder (`folder_fd` when it is the same).
[[gnu::no_sanitize_address]] void enter_working_folder(Shared& shared, int folder_fd) {
    const ChildPlan& p = *shared.plan;
    int base = folder_fd;
    if (p.cwd_folder != p.folder) {
        base = ::open(p.cwd_folder, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (base < 0) fail(shared, Step::OpenCwd, errno);
    }
    const int fd = open_beneath(base, p.cwd, O_PATH | O_DIRECTORY | O_CLOEXEC, p.resolve);
    if (fd < 0) fail(shared, Step::OpenCwd, errno);
    if (::fchdir(fd) != 0) fail(shared, Step::Chdir, errno);  // fchdir checks search rights too
}

// The script's first bytes (up to kShebangHeadSize, the rest of `head` left as it is), read from
// its checked descriptor. Raw syscalls: ASan intercepts the libc calls.
[[gnu::no_sanitize_address]] long read_head(char* head) {
    long size = 0;
    while (size < static_cast<long>(kShebangHeadSize)) {
        const long got =
            ::syscall(SYS_pread64, kScriptFd, head + size, kShebangHeadSize - static_cast<size_t>(size), size);
        if (got <= 0) break;  // end of file; an error leaves what was read (signals are blocked: no EINTR)
        size += got;
    }
    return size;
}

// Starts the interpreter a #! script names, as the kernel would (launcher/shebang.hpp), but with the
// script's path as the launcher checked it, the way execve() of that path would give it, so that $0
// and __file__ name the script. Why this runs only what was checked: the program executed is the
// interpreter that the checked file names; the interpreter opens the script again by its path, so a
// rename racing this can at most make it read another file's content as the CGI account, which
// whoever may write in the CGI folder could do anyway by writing a script; no file outside the CGI
// folders is ever executed by the launcher. Returns the errno when it could not exec.
[[gnu::no_sanitize_address]] int exec_interpreter(const ChildPlan& p, char* head, size_t size) {
    const Shebang line = parse_shebang(head, size);
    if (!line.runs) return ENOEXEC;
    // The names end in place (head is NUL-padded and longer than any offset parse_shebang gives).
    char* const interpreter = head + line.interpreter;
    interpreter[line.interpreter_size] = '\0';
    char** argv = p.interpreter_argv + 1;
    if (line.has_argument) {
        head[line.argument + line.argument_size] = '\0';
        argv = p.interpreter_argv;
        argv[1] = head + line.argument;
    }
    argv[0] = interpreter;
    ::syscall(SYS_execve, interpreter, argv, p.envp);
    return errno;
}

// Runs the checked file: a #! script through its interpreter (exec_interpreter), anything else (a
// binary, or a file the account may not read) from its descriptor, which is close-on-exec: nothing
// beyond 0-2 is left to the program. Returns the errno when it could not exec.
[[gnu::no_sanitize_address]] int exec_script(const ChildPlan& p, bool readable) {
    char head[kShebangHeadSize + 1] = {};
    const long size = readable ? read_head(head) : 0;
    if (size >= 2 && head[0] == '#' && head[1] == '!') return exec_interpreter(p, head, static_cast<size_t>(size));
    // Not a #! script, or unreadable (a binary may be execute-only): the kernel decides, on the descriptor.
    ::syscall(SYS_execveat, kScriptFd, "", p.argv, p.envp, AT_EMPTY_PATH);
    return errno;
}

// The child, between clone and exec, on its own stack inside the launcher's memory and with every
// signal blocked. Only raw syscalls and async-signal-safe calls: glibc's set*id wrappers, say, would
// try to synchronise with the launcher's other threads. Order matters: leave the launcher's process
// group first (so a KILL of the group can never reach the launcher), then the account (groups
// before gid before uid: each later step removes the right to the earlier ones), then open the files
// with the account's rights, then the process state; signals last, so that nothing interrupts the
// set-up half-way. A process group, not a session: the launcher has no controlling terminal to pass
// on already, and a session per script would also be a scheduler autogroup per script (costly, and
// it starved scripts already running).
[[gnu::no_sanitize_address]] int child_main(void* arg) {
    Shared& shared = *static_cast<Shared*>(arg);
    const ChildPlan& p = *shared.plan;
    if (::setpgid(0, 0) < 0) fail(shared, Step::Setpgid, errno);
    if (p.switch_user) {
        if (::syscall(SYS_setgroups, 0, nullptr) != 0) fail(shared, Step::Setgroups, errno);
        if (::syscall(SYS_setresgid, p.gid, p.gid, p.gid) != 0) fail(shared, Step::Setgid, errno);
        if (::syscall(SYS_setresuid, p.uid, p.uid, p.uid) != 0) fail(shared, Step::Setuid, errno);
        if (!drop_capabilities()) fail(shared, Step::Capabilities, errno);
        if (still_root_capable(p)) fail(shared, Step::RootCheck, EPERM);
    } else if (!drop_capabilities()) {  // those the launcher holds in its own user namespace
        fail(shared, Step::Capabilities, errno);
    }
    apply_limits(shared);
    const int folder_fd = ::open(p.folder, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (folder_fd < 0) fail(shared, Step::OpenFolder, errno);
    bool readable = false;
    const int script_fd = open_script(shared, folder_fd, readable);
    enter_working_folder(shared, folder_fd);
    // The fds received for the script are all >= 3, so dup2 cannot clobber one before it is
    // copied; dup2 clears CLOEXEC on the copies. The script's own descriptor goes to 3, close-on-exec,
    // everything else goes.
    if (::dup2(p.in_fd, 0) < 0 || ::dup2(p.out_fd, 1) < 0 || ::dup2(p.err_fd, 2) < 0) {
        fail(shared, Step::Fds, errno);
    }
    if (script_fd != kScriptFd && ::dup3(script_fd, kScriptFd, O_CLOEXEC) < 0) fail(shared, Step::Fds, errno);
    if (::close_range(kScriptFd + 1, ~0U, 0) != 0) fail(shared, Step::Fds, errno);
    // Ignored signals survive exec (handlers do not, and the launcher has none).
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : kLauncherIgnoredSignals) {
        if (::sigaction(sig, &dfl, nullptr) != 0) fail(shared, Step::Signals, errno);
    }
    if (set_signal_mask(0, nullptr) != 0) fail(shared, Step::Signals, errno);
    fail(shared, Step::Exec, exec_script(p, readable));
}

}  // namespace

ChildOutcome start_child(const ChildPlan& plan) {
    Shared shared{&plan};
    // Part of this frame: the launcher sleeps inside clone() for as long as the child uses it.
    alignas(64) char stack[kChildStack];
    // Nothing may be delivered to the child while it runs in our memory; it clears its mask itself.
    KernelSigset old = 0;
    set_signal_mask(~KernelSigset{0}, &old);
    const int flags = CLONE_VM | CLONE_VFORK | SIGCHLD | (plan.own_pid_namespace ? CLONE_NEWPID : 0);
    const pid_t pid = ::clone(child_main, stack + sizeof stack, flags, &shared);
    const int clone_error = errno;
    set_signal_mask(old, nullptr);

    ChildOutcome outcome;
    if (pid < 0) {
        outcome.step = "fork";
        outcome.error = clone_error;
    } else if (shared.step != Step::None) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        outcome.step = step_name(shared.step);
        outcome.error = shared.error;
        outcome.opening = is_opening(shared.step);
    } else {
        outcome.pid = pid;
    }
    return outcome;
}

}  // namespace httpserve
