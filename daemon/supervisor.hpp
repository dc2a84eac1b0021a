// The master: runs the workers in generations (daemon/generation.hpp), replaces the ones that die
// (with back-off; it gives up when no worker can stay up) and acts on signals: HUP reload, USR1 reopen
// the logs, TERM/INT fast stop, QUIT graceful stop. Signal handlers only set flags; the loop acts.
#pragma once

#include "config/cli.hpp"
#include "config/config.hpp"

namespace httpserve {

// Everything after the command line: error log, the pid_file check, listeners (bound, or taken from
// systemd), the pid_file, the first generation, then the loop until a stop. `cli` is read again on
// every reload. Returns the exit status; throws std::runtime_error for a start-up failure.
int run_master(const CommandLine& cli, Config config);

}  // namespace httpserve
