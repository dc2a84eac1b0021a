// The master's loop: fork the workers, replace the ones that die (with back-off), stop them all on
// TERM/INT (fast) or QUIT (graceful). Signal handlers only set flags; the loop acts on them.
#pragma once

#include <vector>

#include "config/config.hpp"
#include "daemon/listeners.hpp"
#include "daemon/privileges.hpp"

namespace httpserve {

struct MasterSetup {
    const Config* config = nullptr;
    std::vector<Listener>* listeners = nullptr;
    Account account;
    int access_log_fd = -1;
};

// Returns the master's exit status.
int run_master(const MasterSetup& setup);

}  // namespace httpserve
