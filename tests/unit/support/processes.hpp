// Processes for Catch2 tests: a forked child that runs a function (or waits to be signalled), killed
// and reaped when the object goes, and polling for a condition.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

namespace httpserve::test_support {

// Polls `predicate` every few milliseconds until it is true or `timeout` passes; its last answer.
template <typename Predicate>
bool wait_until(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() >= deadline) return predicate();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

// The state letter of /proc/PID/stat ('R', 'S', 'Z', ...); none once the process is gone.
inline std::optional<char> process_state(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t paren = text.rfind(')');
    if (paren == std::string::npos || paren + 2 >= text.size()) return std::nullopt;
    return text[paren + 2];
}

// A child of the test process, with every signal at its default action and none blocked. Without a
// body it pause()s until a signal ends it; with one it runs the body and _exit()s with what the body
// returns (the same program, but nothing of the test framework runs in the child). Killed (SIGKILL)
// and reaped when the object goes, unless reaped already.
class Child {
public:
    Child()
        : Child([] {
              for (;;) ::pause();
              return 0;
          }) {}

    template <typename Body>
    explicit Child(Body body) {
        // Catch2's handlers for fatal signals must never run in the child: every signal stays blocked
        // until the child has put back the default actions.
        sigset_t all, old;
        sigfillset(&all);
        ::sigprocmask(SIG_SETMASK, &all, &old);
        pid_ = ::fork();
        if (pid_ == 0) {
            for (int sig = 1; sig < NSIG; ++sig) {
                if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
            }
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            ::_exit(body());
        }
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        REQUIRE(pid_ >= 0);
    }
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            reap();
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }

    // Waits for the child to end; its wait status. The pid may be reused afterwards.
    int reap() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
        pid_ = -1;
        return status;
    }

private:
    pid_t pid_ = -1;
};

}  // namespace httpserve::test_support
