#include "daemon/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace httpserve {

namespace {

bool lookup_user(const std::string& name, uid_t& uid, gid_t& primary) {
    passwd* pw = ::getpwnam(name.c_str());
    if (!pw) return false;
    uid = pw->pw_uid;
    primary = pw->pw_gid;
    return true;
}

bool lookup_group(const std::string& name, gid_t& gid) {
    group* gr = ::getgrnam(name.c_str());
    if (!gr) return false;
    gid = gr->gr_gid;
    return true;
}

}  // namespace

Account resolve_worker_account(const Config& config) {
    Account a;
    if (::geteuid() != 0) return a;
    a.switch_needed = true;
    a.user = config.user;
    a.group = config.group;
    gid_t primary = 0;
    if (!lookup_user(a.user, a.uid, primary)) {
        if (config.user_explicit || a.user == "nobody") {
            throw std::runtime_error("user '" + a.user + "' does not exist");
        }
        a.warnings.push_back("user '" + a.user + "' does not exist; workers run as 'nobody'");
        a.user = "nobody";
        a.group = "nogroup";
        if (!lookup_user(a.user, a.uid, primary)) throw std::runtime_error("user 'nobody' does not exist");
    }
    if (!lookup_group(a.group, a.gid)) {
        group* gr = ::getgrgid(primary);
        std::string fallback = gr ? gr->gr_name : std::to_string(primary);
        a.warnings.push_back("group '" + a.group + "' does not exist; workers use " + a.user + "'s group '" + fallback +
                             "'");
        a.gid = primary;
        a.group = fallback;
    }
    if (a.uid == 0 || a.gid == 0) {
        throw std::runtime_error("workers must not run as root (user '" + a.user + "', group '" + a.group + "')");
    }
    return a;
}

void switch_to_account(const Account& a) {
    if (a.switch_needed) {
        if (::setgroups(0, nullptr) != 0) throw std::runtime_error(std::string("setgroups: ") + std::strerror(errno));
        if (::setgid(a.gid) != 0) throw std::runtime_error(std::string("setgid: ") + std::strerror(errno));
        if (::setuid(a.uid) != 0) throw std::runtime_error(std::string("setuid: ") + std::strerror(errno));
        if (::setuid(0) == 0 || ::geteuid() == 0 || ::getegid() == 0) {
            throw std::runtime_error("root could be regained after the switch");
        }
    }
    // No exec of a set-uid program can hand privileges back to a worker.
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

}  // namespace httpserve
