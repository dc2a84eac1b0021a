// Inside the CGI launcher: checks one spawn request and starts the script as the CGI account.
// The checks run here, in the launcher, even though the worker checked first: a buggy or
// compromised worker must not be able to run anything outside the CGI folders, nor as root, nor
// choose what the script's environment does beyond describing the request.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "ipc/launch_protocol.hpp"
#include "ipc/launcher_settings.hpp"

namespace httpserve {

struct SpawnOutcome {
    pid_t pid = -1;                              // > 0: the script runs (its own process group, pgid == pid)
    int code = 0;                                // else: the errno value for FAILED ...
    std::string message;                         // ... and its text, the same whatever the cause (see spawn_script)
    std::string detail;                          // else: why, for the launcher's own log only
    std::string script;                          // the script path as asked
    std::vector<std::string> dropped_variables;  // environment names the launcher did not pass on
};

// What a worker is told when a script cannot be started. The same for every cause that concerns
// files (missing, not executable, outside the folders, in a folder only root may enter): the launcher
// can see more than the worker may learn. The cause goes to the launcher's log.
inline constexpr int kRefusedCode = EPERM;
inline constexpr const char* kRefusedMessage = "refused by the CGI launcher (the reason is in its log)";

// Validates what needs no file access (absolute, inside a CGI folder as written, the dotfile rule,
// the environment: script_environment), then starts the child (start_child): it switches account,
// opens and checks the script and its folder beneath their CGI folder, installs the three fds as
// 0/1/2, closes everything else, changes folder, resets signals and execs that very file (for a #!
// script, the interpreter its first line names, given the script's path as checked). Blocks
// only until the child has exec'd or failed.
//
// ScriptPidNamespace::Own: the script is the init of a new PID namespace (the launcher does this
// from its own user namespace, launcher/user_namespace.hpp): it can name no process but its own
// descendants, and the kernel kills those when it ends. Shared: the caller's, as for the checks'
// unit tests, which run without one.
enum class ScriptPidNamespace { Shared, Own };
SpawnOutcome spawn_script(const LauncherSettings& settings, const SpawnRequest& request, const UniqueFd& in_fd,
                          const UniqueFd& out_fd, const UniqueFd& err_fd,
                          ScriptPidNamespace pid_namespace = ScriptPidNamespace::Shared);

}  // namespace httpserve
