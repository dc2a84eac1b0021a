// Inside the CGI launcher: checks one spawn request and starts the script as the CGI account.
// The checks run here, in the launcher, even though the worker checked first: a buggy or
// compromised worker must not be able to run anything outside the CGI folders, nor as root.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/unique_fd.hpp"
#include "ipc/launch_protocol.hpp"
#include "ipc/launcher_settings.hpp"

namespace httpserve {

struct SpawnOutcome {
    pid_t pid = -1;       // > 0: the script runs (its own process group, pgid == pid)
    int code = 0;         // else: an errno value for FAILED
    std::string message;  // else: why, for the worker and the error log
    std::string script;   // the resolved path that was (or would have been) executed
};

// Validates (path inside a CGI folder after realpath, regular file, executable by the target
// account, cwd inside a CGI folder), then starts the child (start_child): it switches account,
// installs the three fds as 0/1/2, closes everything else, chdirs, resets signals and execs.
// SpawnOutcome tells failures in the child before exec too. Blocks only until the child has exec'd
// or failed.
SpawnOutcome spawn_script(const LauncherSettings& settings, const SpawnRequest& request, const UniqueFd& in_fd,
                          const UniqueFd& out_fd, const UniqueFd& err_fd);

}  // namespace httpserve
