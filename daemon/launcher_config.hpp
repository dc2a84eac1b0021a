// The master's side of the launcher's settings: turning a Config into LauncherSettings, which needs
// the account database and the master's own uid.
#pragma once

#include "config/config.hpp"
#include "ipc/launcher_settings.hpp"

namespace httpserve {

// RLIMIT_NPROC for CGI scripts: the processes of the CGI account (in the launcher's user namespace),
// all scripts together. Far above what max_processes scripts need; a fork bomb stops here.
inline constexpr uint32_t kMaxCgiAccountProcesses = 4096;

// Resolves cgi.user/cgi.group. As root: the account must exist and must not be root (throws
// std::runtime_error otherwise; a missing group falls back to the user's primary group with a
// warning). Not root: no switch; scripts run as the server's user, unless cgi.user was set
// explicitly to another account, which sets refuse_reason.
LauncherSettings launcher_settings_from(const Config& config);

}  // namespace httpserve
