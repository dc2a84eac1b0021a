// daemon/respawn: failed starts, the back-off before the next start, exit descriptions.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <climits>

#include "daemon/respawn.hpp"
#include "tests/unit/support/processes.hpp"

using namespace httpserve;
using namespace std::chrono_literals;
using test_support::Child;

TEST_CASE("respawn delay: none after a worker that ran, then doubling from 100 ms", "[daemon][respawn]") {
    CHECK(respawn_delay(0) == 0ms);
    CHECK(respawn_delay(1) == 100ms);
    CHECK(respawn_delay(2) == 200ms);
    CHECK(respawn_delay(3) == 400ms);
    CHECK(respawn_delay(4) == 800ms);
    CHECK(respawn_delay(5) == 1600ms);
    CHECK(respawn_delay(6) == 3200ms);
    CHECK(respawn_delay(7) == 6400ms);
}

TEST_CASE("respawn delay: capped at 10 s however many failures", "[daemon][respawn]") {
    CHECK(respawn_delay(8) == 10s);  // 12.8 s uncapped
    CHECK(respawn_delay(9) == 10s);
    CHECK(respawn_delay(32) == 10s);  // no shift past the width of the type
    CHECK(respawn_delay(1000) == 10s);
    CHECK(respawn_delay(UINT_MAX) == 10s);
    for (unsigned n = 1; n < 40; ++n) CHECK(respawn_delay(n) >= respawn_delay(n - 1));
}

TEST_CASE("respawn delay: a worker that cannot start is given up within seconds", "[daemon][respawn]") {
    // The pauses before the starts that follow each failure, until max_failed_starts in a row.
    std::chrono::milliseconds total{0};
    for (unsigned n = 1; n < max_failed_starts; ++n) total += respawn_delay(n);
    CHECK(total == 1500ms);
    CHECK(max_failed_starts == 5);
}

TEST_CASE("failed start: not ready, or dead within a second", "[daemon][respawn]") {
    CHECK(is_failed_start(false, 0s));
    CHECK(is_failed_start(false, 1h));  // never reported ready: failed however long it took
    CHECK(is_failed_start(true, 0ms));
    CHECK(is_failed_start(true, 999ms));
    CHECK_FALSE(is_failed_start(true, 1s));
    CHECK_FALSE(is_failed_start(true, 1h));
    CHECK(quick_death == 1s);
}

TEST_CASE("describe_exit: the status of a real child", "[daemon][respawn]") {
    SECTION("exit statuses") {
        for (int code : {0, 3, 255}) {
            Child child([code] { return code; });
            CHECK(describe_exit(child.reap()) == "exited with status " + std::to_string(code));
        }
    }
    SECTION("signals") {
        for (int sig : {SIGKILL, SIGTERM, SIGHUP}) {
            Child child;
            REQUIRE(::kill(child.pid(), sig) == 0);
            CHECK(describe_exit(child.reap()) == "was killed by signal " + std::to_string(sig));
        }
    }
}
