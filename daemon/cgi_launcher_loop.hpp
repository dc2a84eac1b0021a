// The CGI launcher process itself (forked by start_cgi_launcher): one poll() loop over its control
// channel, the worker channels and a signalfd. It answers SPAWN and KILL requests, reaps the scripts
// and logs how they ended, and stops (killing every script's process group) on SIGTERM or when the
// master goes away.
#pragma once

#include <sys/types.h>

#include "common/unique_fd.hpp"
#include "daemon/launcher_settings.hpp"

namespace httpserve {

// Never returns. `master` is the parent's pid, to detect a parent that died before
// PR_SET_PDEATHSIG took effect.
[[noreturn]] void run_cgi_launcher(UniqueFd control, LauncherSettings settings, pid_t master);

}  // namespace httpserve
