// ipc/status_board: slots given out and retired by the master, totals that survive, a region forked processes share.
#include "ipc/status_board.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

using namespace httpserve::status;

TEST_CASE("status board: a retired slot's counters stay in the totals", "[status_board]") {
    Board board(4);
    Slot* a = board.claim(1, 1);
    Slot* b = board.claim(2, 1);
    REQUIRE(a);
    REQUIRE(b);
    a->pid.store(100);
    b->pid.store(200);
    a->count(Requests, 5);
    a->count(BytesOut, 1000);
    a->move(Active, 2);
    b->count(Requests, 3);

    Snapshot before = board.snapshot();
    REQUIRE(before.workers.size() == 2);
    CHECK(before.workers[0].pid == 100);
    CHECK(before.workers[0].worker == 1);
    CHECK(before.workers[1].counters[Requests] == 3);
    CHECK(before.totals[Requests] == 8);
    CHECK(before.totals[BytesOut] == 1000);
    CHECK(before.gauge_totals[Active] == 2);

    board.retire(a);
    Snapshot after = board.snapshot();
    REQUIRE(after.workers.size() == 1);
    CHECK(after.workers[0].pid == 200);
    CHECK(after.totals[Requests] == 8);  // 5 retired + 3 live
    CHECK(after.totals[BytesOut] == 1000);
    CHECK(after.gauge_totals[Active] == 0);  // gauges leave with their worker

    // The freed slot is given out again, zeroed.
    Slot* c = board.claim(1, 2);
    REQUIRE(c == a);
    CHECK(c->counters[Requests].load() == 0);
    c->count(Requests);
    Snapshot again = board.snapshot();
    CHECK(again.totals[Requests] == 9);
    REQUIRE(again.workers.size() == 2);
    CHECK(again.workers[0].generation == 2);
}

TEST_CASE("status board: generation, reloads and uptime", "[status_board]") {
    Board board(2);
    board.set_generation(3);
    board.count_reload();
    board.count_reload();
    Snapshot s = board.snapshot();
    CHECK(s.generation == 3);
    CHECK(s.reloads == 2);
    CHECK(s.uptime_seconds >= 0);
    CHECK(s.uptime_seconds < 60);
    CHECK(s.started_unix > 1600000000);
    CHECK(s.workers.empty());
}

TEST_CASE("status board: beyond its slots a worker gets none, and foreign pointers are ignored", "[status_board]") {
    Board board(2);
    Slot* a = board.claim(1, 1);
    Slot* b = board.claim(2, 1);
    CHECK(a);
    CHECK(b);
    CHECK(board.claim(3, 1) == nullptr);
    Slot outside{};
    board.retire(&outside);  // not the board's: nothing happens
    board.retire(nullptr);
    board.retire(b);
    board.retire(b);  // twice: the second is ignored, nothing is added again
    CHECK(board.snapshot().workers.size() == 1);
    CHECK(board.claim(3, 1) == b);
}

TEST_CASE("status board: numbers a worker scribbled are only added, wrapping", "[status_board]") {
    Board board(2);
    Slot* a = board.claim(1, 1);
    a->counters[Requests].store(UINT64_MAX);
    a->gauges[Active].store(-5);
    a->in_use.store(7);  // the master does not read this back
    board.retire(a);
    Slot* b = board.claim(1, 2);
    b->count(Requests, 2);
    Snapshot s = board.snapshot();
    CHECK(s.totals[Requests] == 1);  // UINT64_MAX + 2, wrapped
    CHECK(s.gauge_totals[Active] == 0);
}

TEST_CASE("status board: forked processes share it", "[status_board]") {
    Board board(2);
    Slot* a = board.claim(1, 1);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        a->count(Requests, 42);
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(board.snapshot().totals[Requests] == 42);
}
