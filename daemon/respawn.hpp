// The master's rules for workers that die: what counts as a failed start, how long to wait before the
// next try, when to give up, and how an exit is described in the log. Pure; the supervisor applies them.
#pragma once

#include <chrono>
#include <string>

namespace httpserve {

// A worker that dies before it is ready, or within this long of starting, failed to start. After
// max_failed_starts failed starts in a row a new generation is given up, and when every worker of the
// generation in service is there, the master exits: no worker can stay up.
inline constexpr std::chrono::seconds quick_death{1};
inline constexpr unsigned max_failed_starts = 5;

// Whether a worker that was ready (or not) and lived `lived` failed to start.
bool is_failed_start(bool was_ready, std::chrono::steady_clock::duration lived);

// The pause before the next start after `failed_starts` failed starts in a row: none after a worker
// that ran, then 100 ms doubling each time, at most 10 s, so a broken setup is no fork storm.
std::chrono::milliseconds respawn_delay(unsigned failed_starts);

// A waitpid() status for the log: "exited with status N" or "was killed by signal N".
std::string describe_exit(int status);

}  // namespace httpserve
