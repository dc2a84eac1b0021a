// `httpserve -s reload|stop|quit|reopen`: signals the master named in the configured pid_file.
#pragma once

#include "config/cli.hpp"

namespace httpserve {

// The config file is -c FILE, or /etc/httpserve.toml. Returns the exit status: 0 when the signal was
// sent, 1 with a message on stderr when it could not be (no pid_file configured, no such file, the
// master is not running, an invalid config file).
int send_signal_command(const CommandLine& cli);

}  // namespace httpserve
