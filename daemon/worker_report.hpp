// What a worker tells the master through its generation's report pipe: ready, or why it could not
// start. One fixed-size record per write(), smaller than PIPE_BUF, so records from several workers
// sharing the pipe never mix.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace httpserve {

struct WorkerReport {
    pid_t pid = 0;
    bool ok = false;
    std::string reason;
};

// Writes a record for this process (getpid()); `reason` is cut to the record's 247 bytes. Never blocks
// on a non-blocking pipe: a pipe this full means the master is not reading anyway.
void send_worker_report(int fd, bool ok, std::string_view reason);
// Every complete record waiting in the (non-blocking) pipe.
std::vector<WorkerReport> read_worker_reports(int fd);

}  // namespace httpserve
