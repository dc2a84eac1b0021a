// A worker process's life: event loop over the inherited listeners until told to stop.
#pragma once

#include <functional>
#include <vector>

#include "config/config.hpp"

namespace httpserve {

struct WorkerStart {
    const Config* config = nullptr;
    std::vector<int> listen_fds;  // non-blocking, listening; shared with the other workers
    int access_log_fd = -1;       // -1: off
    int cgi_channel_fd = -1;      // this worker's channel to the CGI launcher (owned from here on); -1: none
    std::function<void()> ready;  // called once the loop is set up and about to accept (may be empty)
};

// Runs the loop; returns the process exit status. SIGTERM/SIGINT stop at once, SIGQUIT gracefully
// (in-flight responses finish, bounded by shutdown_timeout).
int run_worker(const WorkerStart& start);

}  // namespace httpserve
