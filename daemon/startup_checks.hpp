// The checks a configuration must pass beyond its own file before the master may use it: the
// accounts workers and CGI scripts run as. One function for start-up, reload and `-t`, so that `-t`
// says "valid" exactly when start-up would accept the file.
#pragma once

#include <optional>

#include "config/config.hpp"
#include "daemon/privileges.hpp"
#include "ipc/launcher_settings.hpp"

namespace httpserve {

struct CheckedAccounts {
    Account workers;
    std::optional<LauncherSettings> cgi;  // set when CGI is enabled
};

// Resolves the workers' account and, with CGI enabled, the launcher's settings (see
// resolve_worker_account and launcher_settings_from). Throws std::runtime_error with the message
// start-up gives, e.g. for `user = "root"` or `[cgi] user = "root"` when started as root.
CheckedAccounts check_accounts(const Config& config);

}  // namespace httpserve
