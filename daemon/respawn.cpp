#include "daemon/respawn.hpp"

#include <sys/wait.h>

#include <algorithm>

namespace httpserve {

using namespace std::chrono_literals;

bool is_failed_start(bool was_ready, std::chrono::steady_clock::duration lived) {
    return !was_ready || lived < quick_death;
}

std::chrono::milliseconds respawn_delay(unsigned failed_starts) {
    if (failed_starts == 0) return 0ms;
    return std::min<std::chrono::milliseconds>(100ms * (1u << std::min(failed_starts - 1, 7u)), 10s);
}

std::string describe_exit(int status) {
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace httpserve
