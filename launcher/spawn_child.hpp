// Starting one CGI process from the launcher, once the request has been checked: the child
// switches account, opens and checks the script, resets its process state and execs that file. It shares the launcher's
// memory (clone(CLONE_VM | CLONE_VFORK), as posix_spawn does) instead of copying it with fork(): the copy and its
// teardown at exec were a large part of each request's cost. The launcher waits (inside clone) only until the child has
// exec'd or failed, and the child reports a failure through that shared memory, so no exec-status pipe is needed.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace httpserve {

// Resource limits for a script (0: none). RLIMIT_NPROC counts every process of the account.
struct ScriptLimits {
    uint64_t processes = 0;    // RLIMIT_NPROC
    uint64_t memory = 0;       // RLIMIT_AS and RLIMIT_DATA, bytes
    uint64_t cpu_seconds = 0;  // RLIMIT_CPU
};

// Everything the child needs, prepared before the clone: after it, the child may only make
// async-signal-safe calls on what it is given here.
//
// The child opens the script and its working folder itself, after the account switch, beneath their
// CGI folder (openat2 with RESOLVE_BENEATH): the kernel then walks the path with the script account's
// rights (as execve by path did), no symlink or "..", and no rename racing the checks, can lead out
// of the folder, and what is checked (fstat, faccessat2 on that descriptor) is exactly what runs
// (execveat on it; for a #! script, the interpreter its checked first line names).
struct ChildPlan {
    bool switch_user = false;  // setgroups/setgid/setuid to uid/gid, then check root is gone
    uid_t uid = 0;
    gid_t gid = 0;
    const char* folder = nullptr;      // the CGI folder the script lies in, absolute
    const char* script = nullptr;      // the script, relative to `folder` ("." for the folder itself)
    const char* cwd_folder = nullptr;  // the CGI folder the working folder lies in (often `folder`)
    const char* cwd = nullptr;         // the working folder, relative to `cwd_folder` ("." for itself)
    unsigned long long resolve = 0;    // RESOLVE_* flags for both opens beneath a folder
    char* const* argv = nullptr;
    char* const* envp = nullptr;
    // For a #! script: two free slots (the child writes the interpreter and its argument there), then
    // the script's path as checked (`folder`/`script`) and argv after argv[0], then nullptr.
    char** interpreter_argv = nullptr;
    // The child is the init of a new PID namespace (clone(CLONE_NEWPID)): it and what it starts can
    // name no other process, and the kernel kills what it started when it ends.
    bool own_pid_namespace = false;
    ScriptLimits limits;
    int in_fd = -1;  // become 0, 1 and 2; all >= 3 (the launcher keeps 0-2 open)
    int out_fd = -1;
    int err_fd = -1;
};

struct ChildOutcome {
    pid_t pid = -1;              // > 0 and step == nullptr: the program runs (own process group)
    const char* step = nullptr;  // else: what failed ("fork" when no child was made) ...
    int error = 0;               // ... and its errno. A failed child has been reaped already.
    bool opening = false;        // the failure was opening the script or its folder beneath theirs
};

ChildOutcome start_child(const ChildPlan& plan);

}  // namespace httpserve
