// The master's handle on the CGI launcher: the one process that keeps the right to switch users,
// and starts every CGI script for the (unprivileged) workers. See docs/ARCHITECTURE.md, "The CGI launcher".
//
// Wiring, in the master:
//   LauncherSettings s = launcher_settings_from(config);   // throws for an impossible cgi.user
//   CgiLauncher launcher = start_cgi_launcher(s);         // before workers are forked
//   per worker fork:  UniqueFd ch = connect_worker(launcher);  fork();
//       child:  launcher.control.reset(); launcher.pid = -1;  hand ch to the worker (LaunchClient)
//       parent: ch.reset()
//   reload:   update_cgi_launcher(launcher, launcher_settings_from(new_config));
//   stop:     stop_cgi_launcher(launcher)   (after the workers are gone)
// The launcher is the master's child: the master's waitpid(-1) also reaps it (compare with
// launcher.pid; a launcher that died should be restarted, and workers connected to the old one
// will see their channel closed).
#pragma once

#include <sys/types.h>

#include "common/unique_fd.hpp"
#include "ipc/launcher_settings.hpp"

namespace httpserve {

struct CgiLauncher {
    pid_t pid = -1;
    UniqueFd control;  // master → launcher (SOCK_SEQPACKET); only the master may hold it
    pid_t owner = -1;  // the process that started it: only that one stops it on destruction

    CgiLauncher() = default;
    CgiLauncher(CgiLauncher&& other) noexcept;
    CgiLauncher& operator=(CgiLauncher&&) noexcept;
    ~CgiLauncher();
};

// Forks the launcher. It closes every inherited fd except stderr and its control channel, reopens
// the error log itself (settings.error_log), dies with the master (PR_SET_PDEATHSIG), sets
// no_new_privs and, when root, keeps only the capabilities it needs. Logs once, when scripts run as
// the server's own user or when an explicit cgi.user cannot be honoured. Throws std::runtime_error
// when the socketpair or fork fails.
CgiLauncher start_cgi_launcher(const LauncherSettings& settings);

// A new worker channel: a SOCK_SEQPACKET socketpair; one end goes to the launcher over the control
// channel, the other (CLOEXEC, non-blocking) is returned for the worker. Empty on failure (logged):
// that worker's CGI requests then fail.
UniqueFd connect_worker(const CgiLauncher& launcher);

// Reload: the launcher keeps running and its channels stay open; new settings replace the old ones
// for every later request, from old and new workers alike (a folder removed from the config is
// refused at once, even to an old worker finishing its requests). False when it could not be sent.
bool update_cgi_launcher(const CgiLauncher& launcher, const LauncherSettings& settings);

// SIGTERM, then waits (the launcher gives scripts 2 s after TERM, then KILLs their groups; after
// 5 s the launcher itself is KILLed). Idempotent.
void stop_cgi_launcher(CgiLauncher& launcher);

}  // namespace httpserve
