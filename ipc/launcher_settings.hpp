// What the CGI launcher needs to know: whom scripts run as and where scripts may live. The master
// builds it from the Config (daemon/launcher_config.hpp) at start and on each reload, and sends it to
// the launcher over the control channel in the encoding below; a plain value.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log_level.hpp"

namespace httpserve {

struct LauncherSettings {
    bool switch_user = false;  // started as root: setgroups/setgid/setuid before exec
    uid_t uid = 0;             // the account scripts run as (the server's own when not switching)
    gid_t gid = 0;
    std::string user;
    std::string group;
    bool user_explicit = false;
    // Non-empty: cgi.user was set explicitly but cannot be honoured (not started as root); every
    // spawn is answered FAILED (EPERM) with this text, which the worker turns into a 403.
    std::string refuse_reason;
    // Absolute: files.root + each cgi.directories entry, as configured (not resolved). A script path
    // names a file in one of them as written; the launcher opens the folder again for every request
    // (it may appear later) and the script beneath it.
    std::vector<std::string> cgi_folders;
    // files.symlinks = "never": no symlink below a CGI folder on the way to a script or its folder.
    bool symlinks_never = false;
    // files.dotfiles = "deny": no script or folder below a CGI folder whose name starts with '.'.
    bool dotfiles_deny = false;
    // Live scripts one channel (one worker) may have; a backstop against a runaway worker, set
    // above the worker's own 503 limit (cgi.max_processes) so that late reaping never trips it.
    unsigned max_per_channel = 128;
    // Resource limits each script starts with (0: none): cgi.max_memory, cgi.max_cpu_time (rounded up
    // to whole seconds), and the count of the CGI account's processes, a fork bomb's ceiling.
    uint64_t max_memory = 0;
    uint32_t max_cpu_seconds = 0;
    uint32_t max_account_processes = 0;
    // The launcher reopens the error log itself (at start and on SIGUSR1) so that it can close every
    // fd it inherited.
    std::string error_log = "stderr";
    LogLevel log_level = LogLevel::Info;

    bool operator==(const LauncherSettings&) const = default;
};

// The control-channel encoding (master → launcher, for reload). decode also re-checks that a
// switch never targets root.
std::string encode_launcher_settings(const LauncherSettings& settings);
std::optional<LauncherSettings> decode_launcher_settings(std::string_view bytes);

}  // namespace httpserve
