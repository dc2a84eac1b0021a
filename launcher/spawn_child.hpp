// Starting one CGI process from the launcher, once the request has been checked: the child
// switches account, resets its process state and execs. It shares the launcher's memory
// (clone(CLONE_VM | CLONE_VFORK), as posix_spawn does) instead of copying it with fork(): the copy
// and its teardown at exec were a large part of each request's cost. The launcher waits (inside
// clone) only until the child has exec'd or failed, and the child reports a failure through that
// shared memory, so no exec-status pipe is needed.
#pragma once

#include <sys/types.h>

namespace httpserve {

// Everything the child needs, prepared before the clone: after it, the child may only make
// async-signal-safe calls on what it is given here.
struct ChildPlan {
    bool switch_user = false;  // setgroups/setgid/setuid to uid/gid, then check root is gone
    uid_t uid = 0;
    gid_t gid = 0;
    const char* path = nullptr;  // what to exec
    const char* cwd = nullptr;
    char* const* argv = nullptr;
    char* const* envp = nullptr;
    int in_fd = -1;  // become 0, 1 and 2; all >= 3 (the launcher keeps 0-2 open)
    int out_fd = -1;
    int err_fd = -1;
};

struct ChildOutcome {
    pid_t pid = -1;              // > 0 and step == nullptr: the program runs (own process group)
    const char* step = nullptr;  // else: what failed ("fork" when no child was made) ...
    int error = 0;               // ... and its errno. A failed child has been reaped already.
};

ChildOutcome start_child(const ChildPlan& plan);

}  // namespace httpserve
