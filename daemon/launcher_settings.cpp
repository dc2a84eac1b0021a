#include "daemon/launcher_settings.hpp"

#include <grp.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <stdexcept>

#include "worker/cgi_launch/launch_protocol.hpp"
#include "worker/cgi_launch/script_rules.hpp"

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

std::string canonical_if_exists(const std::string& path) {
    char buf[PATH_MAX];
    return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
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
        s.cgi_folders.push_back(canonical_if_exists(cgi_folder_path(config.files.root, dir)));
    }
    s.max_per_channel = std::max(2 * config.cgi.max_processes, 16u);
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

std::string encode_launcher_settings(const LauncherSettings& s) {
    launch_wire::Writer w;
    w.u8(s.switch_user ? 1 : 0);
    w.u32(s.uid);
    w.u32(s.gid);
    w.str(s.user);
    w.str(s.group);
    w.u8(s.user_explicit ? 1 : 0);
    w.str(s.refuse_reason);
    w.list(s.cgi_folders);
    w.u32(s.max_per_channel);
    w.str(s.error_log);
    w.u8(static_cast<uint8_t>(s.log_level));
    return w.take();
}

std::optional<LauncherSettings> decode_launcher_settings(std::string_view bytes) {
    launch_wire::Reader r(bytes);
    LauncherSettings s;
    uint8_t switch_user = 0, user_explicit = 0, level = 0;
    uint32_t uid = 0, gid = 0, max = 0;
    if (!(r.u8(switch_user) && r.u32(uid) && r.u32(gid) && r.str(s.user) && r.str(s.group) &&
          r.u8(user_explicit) && r.str(s.refuse_reason) && r.c_str_list(s.cgi_folders) && r.u32(max) &&
          r.c_str(s.error_log) && r.u8(level) && r.at_end())) {
        return std::nullopt;
    }
    if (level > static_cast<uint8_t>(LogLevel::Error)) return std::nullopt;
    s.switch_user = switch_user != 0;
    s.uid = uid;
    s.gid = gid;
    s.user_explicit = user_explicit != 0;
    s.max_per_channel = max;
    s.log_level = static_cast<LogLevel>(level);
    if (s.switch_user && (s.uid == 0 || s.gid == 0)) return std::nullopt;  // never root, whoever asks
    return s;
}

}  // namespace httpserve
