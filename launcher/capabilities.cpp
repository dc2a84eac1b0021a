#include "launcher/capabilities.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace httpserve {

namespace {

constexpr int kKept[] = {CAP_SETUID, CAP_SETGID, CAP_KILL, CAP_SYS_ADMIN};

// CAP_SYS_ADMIN only inside the launcher's own user namespace, where it is good for clone(CLONE_NEWPID).
bool kept(int cap, bool own_namespace) {
    if (cap == CAP_SYS_ADMIN) return own_namespace;
    for (int k : kKept) {
        if (k == cap) return true;
    }
    return false;
}

std::string failure(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

std::string keep_only_launcher_capabilities(bool own_namespace) {
    // The bounding set first: dropping from it needs CAP_SETPCAP, which goes next. The loop ends at
    // the first capability this kernel does not know (EINVAL). Without CAP_SETPCAP (a systemd unit
    // that bounds us already, with NoNewPrivileges) the bounding set stays as it was given.
    for (int cap = 0; cap < 64; ++cap) {
        if (kept(cap, own_namespace)) continue;
        const int present = ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (present < 0) break;  // EINVAL: past the last capability
        if (present == 0) continue;
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            if (errno == EPERM) break;
            return failure("PR_CAPBSET_DROP");
        }
    }
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        return failure("PR_CAP_AMBIENT_CLEAR_ALL");
    }
    // No libcap in the dependencies: the raw syscall, version 3 (two 32-bit words per set).
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;
    // Keep those of kKept that this process has: a systemd unit may have bounded it more tightly
    // (each is checked where it is used).
    __user_cap_data_struct current[2]{};
    if (::syscall(SYS_capget, &header, current) != 0) return failure("capget");
    __user_cap_data_struct data[2]{};
    for (int cap : kKept) {
        if (!kept(cap, own_namespace)) continue;
        const std::uint32_t bit = 1u << (cap % 32);
        if ((current[cap / 32].permitted & bit) == 0) continue;
        data[cap / 32].permitted |= bit;
        data[cap / 32].effective |= bit;
    }
    if (::syscall(SYS_capset, &header, data) != 0) return failure("capset");
    return "";
}

}  // namespace httpserve
