#include "daemon/worker_report.hpp"

#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace httpserve {

namespace {

struct ReportRecord {
    int32_t pid;
    int32_t ok;
    char reason[248];  // NUL-terminated
};
static_assert(sizeof(ReportRecord) <= PIPE_BUF, "a report must be written atomically");

}  // namespace

void send_worker_report(int fd, bool ok, std::string_view reason) {
    ReportRecord record{};
    record.pid = static_cast<int32_t>(::getpid());
    record.ok = ok ? 1 : 0;
    const size_t n = std::min(reason.size(), sizeof record.reason - 1);
    std::memcpy(record.reason, reason.data(), n);
    // Non-blocking: a pipe this full means the master is not reading anyway.
    ssize_t rc;
    do { rc = ::write(fd, &record, sizeof record); } while (rc < 0 && errno == EINTR);
}

std::vector<WorkerReport> read_worker_reports(int fd) {
    std::vector<WorkerReport> reports;
    for (;;) {
        ReportRecord record;
        const ssize_t n = ::read(fd, &record, sizeof record);
        if (n < 0 && errno == EINTR) continue;
        if (n != static_cast<ssize_t>(sizeof record)) break;  // empty (EAGAIN); writes are whole records
        record.reason[sizeof record.reason - 1] = '\0';
        reports.push_back({static_cast<pid_t>(record.pid), record.ok != 0, record.reason});
    }
    return reports;
}

}  // namespace httpserve
