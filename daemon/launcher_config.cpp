#include "daemon/launcher_config.hpp"

#include <grp.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "ipc/script_rules.hpp"

namespace httpserve {

namespace {

std::string name_of_user(uid_t uid) {
    const passwd* pw = ::getpwuid(uid);
    return pw ? pw->pw_name : std::to_string(uid);
}

std::string name_of_group(gid_t gid) {
    const group* gr = ::getgrgid(gid);
    return gr ? gr->gr_name : std::to_string(gid);
}

// cgi.user/cgi.group to ids. Throws when the user does not exist.
void resolve_account(const CgiConfig& cgi, LauncherSettings& s) {
    const passwd* pw = ::getpwnam(cgi.user.c_str());
    if (!pw) throw std::runtime_error("cgi.user '" + cgi.user + "' does not exist");
    s.user = pw->pw_name;
    s.uid = pw->pw_uid;
    const gid_t primary = pw->pw_gid;
    if (const group* gr = ::getgrnam(cgi.group.c_str())) {
        s.group = gr->gr_name;
        s.gid = gr->gr_gid;
    } else {
        s.gid = primary;
        s.group = name_of_group(primary);
        spdlog::warn("cgi.group '{}' does not exist; CGI scripts use {}'s group '{}'", cgi.group, s.user, s.group);
    }
}

}  // namespace

LauncherSettings launcher_settings_from(const Config& config) {
    LauncherSettings s;
    s.user_explicit = config.cgi.user_explicit;
    for (const std::string& dir : config.cgi.directories) {
        s.cgi_folders.push_back(cgi_folder_path(config.files.root, dir));
    }
    s.symlinks_never = config.files.symlinks == SymlinkPolicy::Never;
    s.dotfiles_deny = config.files.dotfiles == DotfilePolicy::Deny;
    s.max_per_channel = std::max(2 * config.cgi.max_processes, 16u);
    s.max_memory = config.cgi.max_memory;
    const auto cpu_ms = config.cgi.max_cpu_time.count();
    s.max_cpu_seconds = static_cast<uint32_t>((cpu_ms + 999) / 1000);
    s.max_account_processes = kMaxCgiAccountProcesses;
    s.error_log = config.log.error;
    s.log_level = config.log.level;

    if (::geteuid() == 0) {
        resolve_account(config.cgi, s);
        if (s.uid == 0 || s.gid == 0) {
            throw std::runtime_error("CGI scripts must not run as root (cgi.user '" + s.user + "', cgi.group '" +
                                     s.group + "')");
        }
        s.switch_user = true;
        return s;
    }
    // Not root: no switch is possible, so scripts run as the server's own account.
    s.uid = ::geteuid();
    s.gid = ::getegid();
    if (config.cgi.user_explicit) {
        LauncherSettings wanted;
        resolve_account(config.cgi, wanted);
        if (wanted.uid != s.uid || wanted.gid != s.gid) {
            s.refuse_reason = "cgi.user '" + wanted.user + "' (group '" + wanted.group +
                              "') is set, but the server was not started as root and cannot switch to it";
        }
    }
    s.user = name_of_user(s.uid);
    s.group = name_of_group(s.gid);
    return s;
}

}  // namespace httpserve
