// daemon/worker_report: the records workers send the master through their generation's pipe.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "daemon/worker_report.hpp"
#include "tests/unit/support/processes.hpp"

using namespace httpserve;
using test_support::Child;

namespace {

// A report pipe as a generation makes it: non-blocking, close-on-exec.
struct ReportPipe {
    UniqueFd read_end, write_end;
    ReportPipe() {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0);
        read_end.reset(fds[0]);
        write_end.reset(fds[1]);
    }
};

}  // namespace

TEST_CASE("worker report: an empty pipe has no report", "[daemon][worker_report]") {
    ReportPipe p;
    CHECK(read_worker_reports(p.read_end.get()).empty());
}

TEST_CASE("worker report: ready and failed, in order, with this process's pid", "[daemon][worker_report]") {
    ReportPipe p;
    send_worker_report(p.write_end.get(), true, "");
    send_worker_report(p.write_end.get(), false, "cannot read the root folder /srv: Permission denied");
    const std::vector<WorkerReport> got = read_worker_reports(p.read_end.get());
    REQUIRE(got.size() == 2);
    CHECK(got[0].pid == ::getpid());
    CHECK(got[0].ok);
    CHECK(got[0].reason.empty());
    CHECK(got[1].pid == ::getpid());
    CHECK_FALSE(got[1].ok);
    CHECK(got[1].reason == "cannot read the root folder /srv: Permission denied");
    CHECK(read_worker_reports(p.read_end.get()).empty());  // read once
}

TEST_CASE("worker report: a long reason is cut, a NUL ends it", "[daemon][worker_report]") {
    ReportPipe p;
    send_worker_report(p.write_end.get(), false, std::string(1000, 'x'));
    send_worker_report(p.write_end.get(), false, std::string("before\0after", 12));
    const std::vector<WorkerReport> got = read_worker_reports(p.read_end.get());
    REQUIRE(got.size() == 2);
    CHECK(got[0].reason == std::string(247, 'x'));
    CHECK(got[1].reason == "before");
}

TEST_CASE("worker report: reports of several workers keep their pids", "[daemon][worker_report]") {
    ReportPipe p;
    const int fd = p.write_end.get();
    Child first([fd] {
        send_worker_report(fd, true, "");
        return 0;
    });
    const pid_t first_pid = first.pid();
    REQUIRE(first.reap() == 0);
    Child second([fd] {
        send_worker_report(fd, false, "the event loop could not be set up");
        return 0;
    });
    const pid_t second_pid = second.pid();
    REQUIRE(second.reap() == 0);
    const std::vector<WorkerReport> got = read_worker_reports(p.read_end.get());
    REQUIRE(got.size() == 2);
    CHECK(got[0].pid == first_pid);
    CHECK(got[0].ok);
    CHECK(got[1].pid == second_pid);
    CHECK_FALSE(got[1].ok);
    CHECK(got[1].reason == "the event loop could not be set up");
}

TEST_CASE("worker report: bytes that are not a whole record are no report", "[daemon][worker_report]") {
    ReportPipe p;
    REQUIRE(::write(p.write_end.get(), "garbage", 7) == 7);
    CHECK(read_worker_reports(p.read_end.get()).empty());
}

TEST_CASE("worker report: a full pipe does not block the worker", "[daemon][worker_report]") {
    ReportPipe p;
    // Far more than a pipe holds: each send must return (the excess is dropped).
    for (int i = 0; i < 2000; ++i) send_worker_report(p.write_end.get(), true, "");
    const std::vector<WorkerReport> got = read_worker_reports(p.read_end.get());
    CHECK_FALSE(got.empty());
    CHECK(got.size() < 2000u);
    for (const WorkerReport& r : got) CHECK(r.pid == ::getpid());
}
