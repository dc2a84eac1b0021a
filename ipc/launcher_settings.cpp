#include "ipc/launcher_settings.hpp"

#include "ipc/launch_protocol.hpp"

namespace httpserve {

std::string encode_launcher_settings(const LauncherSettings& s) {
    launch_wire::Writer w;
    w.u8(s.switch_user ? 1 : 0);
    w.u32(s.uid);
    w.u32(s.gid);
    w.str(s.user);
    w.str(s.group);
    w.u8(s.user_explicit ? 1 : 0);
    w.str(s.refuse_reason);
    w.c_str_list(s.cgi_folders);
    w.u8(s.symlinks_never ? 1 : 0);
    w.u8(s.dotfiles_deny ? 1 : 0);
    w.u32(s.max_per_channel);
    w.u64(s.max_memory);
    w.u32(s.max_cpu_seconds);
    w.u32(s.max_account_processes);
    w.str(s.error_log);
    w.u8(static_cast<uint8_t>(s.log_level));
    return w.take();
}

std::optional<LauncherSettings> decode_launcher_settings(std::string_view bytes) {
    launch_wire::Reader r(bytes);
    LauncherSettings s;
    uint8_t switch_user = 0, user_explicit = 0, symlinks_never = 0, dotfiles_deny = 0, level = 0;
    uint32_t uid = 0, gid = 0, max = 0;
    if (!(r.u8(switch_user) && r.u32(uid) && r.u32(gid) && r.str(s.user) && r.str(s.group) && r.u8(user_explicit) &&
          r.str(s.refuse_reason) && r.c_str_list(s.cgi_folders) && r.u8(symlinks_never) && r.u8(dotfiles_deny) &&
          r.u32(max) && r.u64(s.max_memory) && r.u32(s.max_cpu_seconds) && r.u32(s.max_account_processes) &&
          r.c_str(s.error_log) && r.u8(level) && r.at_end())) {
        return std::nullopt;
    }
    if (level > static_cast<uint8_t>(LogLevel::Error)) return std::nullopt;
    s.switch_user = switch_user != 0;
    s.uid = uid;
    s.gid = gid;
    s.user_explicit = user_explicit != 0;
    s.symlinks_never = symlinks_never != 0;
    s.dotfiles_deny = dotfiles_deny != 0;
    s.max_per_channel = max;
    s.log_level = static_cast<LogLevel>(level);
    if (s.switch_user && (s.uid == 0 || s.gid == 0)) return std::nullopt;  // never root, whoever asks
    return s;
}

}  // namespace httpserve
