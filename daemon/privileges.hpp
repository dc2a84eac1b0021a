// The account workers run as, and the switch to it. A worker never runs as root.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "config/config.hpp"

namespace httpserve {

struct Account {
    bool switch_needed = false;  // started as root
    uid_t uid = 0;
    gid_t gid = 0;
    std::string user;
    std::string group;
    // Fallbacks taken (a missing account or group), for the caller to log: in command-line mode
    // nothing may precede the start-up line.
    std::vector<std::string> warnings;
};

// Started as root: `user`/`group` from the config; when `user` was not set and the default account
// does not exist, nobody/nogroup with a warning (in `warnings`). Throws std::runtime_error for an explicit account
// that does not exist, or when the result would be root. Not root: no switch.
Account resolve_worker_account(const Config& config);

// setgroups(none), setgid, setuid, no_new_privs; then checks that root cannot be regained.
// Throws std::runtime_error on any failure: the caller must exit, never serve.
void switch_to_account(const Account& account);

}  // namespace httpserve
