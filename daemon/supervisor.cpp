#include "daemon/supervisor.hpp"

#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "common/logging.hpp"
#include "worker/worker_loop.hpp"

namespace httpserve {

namespace {

using Clock = std::chrono::steady_clock;

// Signal handlers can only reach data through globals; these flags are the only ones, and only the
// handlers set them.
volatile sig_atomic_t got_child = 0;
volatile sig_atomic_t got_term = 0;
volatile sig_atomic_t got_int = 0;
volatile sig_atomic_t got_quit = 0;
volatile sig_atomic_t got_hup = 0;
volatile sig_atomic_t got_alarm = 0;

void on_signal(int sig) {
    switch (sig) {
        case SIGCHLD: got_child = 1; break;
        case SIGTERM: got_term = 1; break;
        case SIGINT: got_int = 1; break;
        case SIGQUIT: got_quit = 1; break;
        case SIGHUP: got_hup = 1; break;
        case SIGALRM: got_alarm = 1; break;
        default: break;
    }
}

constexpr int master_signals[] = {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGALRM, SIGUSR1};

struct WorkerSlot {
    pid_t pid = -1;
    Clock::time_point started{};
    Clock::time_point respawn_at{};
    unsigned quick_deaths = 0;  // consecutive deaths within a second of starting
};

class Master {
public:
    explicit Master(const MasterSetup& setup) : setup_(setup), slots_(setup.config->effective_workers()) {}

    int run();

private:
    void install_signal_handlers();
    void spawn(size_t index);
    [[noreturn]] void worker_main(size_t index);
    void reap();
    void respawn_due();
    void arm_alarm();
    void wait_for_workers(Clock::time_point deadline);
    size_t alive() const;
    void signal_workers(int sig);

    const MasterSetup& setup_;
    std::vector<WorkerSlot> slots_;
    pid_t master_pid_ = ::getpid();
    bool stopping_ = false;
};

void Master::install_signal_handlers() {
    sigset_t block;
    sigemptyset(&block);
    for (int sig : master_signals) sigaddset(&block, sig);
    sigprocmask(SIG_BLOCK, &block, nullptr);  // delivered only inside sigsuspend
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : master_signals) {
        if (sig != SIGUSR1) sigaction(sig, &sa, nullptr);
    }
    std::signal(SIGUSR1, SIG_IGN);  // log reopening comes with the lifecycle work
    std::signal(SIGPIPE, SIG_IGN);
}

void Master::worker_main(size_t index) {
    // A fresh process: default dispositions for what the worker's loop handles itself, nothing blocked.
    for (int sig : master_signals) std::signal(sig, SIG_DFL);
    std::signal(SIGHUP, SIG_IGN);
    std::signal(SIGUSR1, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    set_log_role("worker " + std::to_string(index + 1));
    try {
        switch_to_account(setup_.account);
    } catch (const std::exception& e) {
        spdlog::critical("cannot switch to user '{}': {}", setup_.account.user, e.what());
        std::_Exit(1);
    }
    // A worker must not outlive its master (set after the switch: a credential change clears it).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != master_pid_) std::_Exit(0);  // the master died before prctl took effect
    WorkerStart start;
    start.config = setup_.config;
    for (const Listener& l : *setup_.listeners) start.listen_fds.push_back(l.fd.get());
    start.access_log_fd = setup_.access_log_fd;
    int status = run_worker(start);
    std::fflush(nullptr);
    std::_Exit(status);
}

void Master::spawn(size_t index) {
    pid_t pid = ::fork();
    if (pid < 0) {
        spdlog::error("fork: {}", std::strerror(errno));
        slots_[index].respawn_at = Clock::now() + std::chrono::seconds(1);
        return;
    }
    if (pid == 0) worker_main(index);
    slots_[index].pid = pid;
    slots_[index].started = Clock::now();
    spdlog::debug("worker {} started, pid {}", index + 1, pid);
}

void Master::reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        auto it = std::find_if(slots_.begin(), slots_.end(), [pid](const WorkerSlot& s) { return s.pid == pid; });
        if (it == slots_.end()) continue;
        it->pid = -1;
        if (stopping_) continue;
        if (WIFSIGNALED(status)) {
            spdlog::error("worker {} (pid {}) was killed by signal {}", it - slots_.begin() + 1, pid, WTERMSIG(status));
        } else {
            spdlog::error("worker {} (pid {}) exited with status {}", it - slots_.begin() + 1, pid, WEXITSTATUS(status));
        }
        // A worker that dies at once is restarted with a growing pause, so a broken setup does not
        // turn into a fork storm.
        auto lived = Clock::now() - it->started;
        it->quick_deaths = lived < std::chrono::seconds(1) ? it->quick_deaths + 1 : 0;
        auto delay = std::chrono::milliseconds(it->quick_deaths == 0 ? 0 : std::min(100 << std::min(it->quick_deaths, 7u), 10000));
        it->respawn_at = Clock::now() + delay;
    }
}

void Master::respawn_due() {
    auto now = Clock::now();
    for (size_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i].pid < 0 && slots_[i].respawn_at <= now) spawn(i);
    }
}

void Master::arm_alarm() {
    Clock::time_point next = Clock::time_point::max();
    for (const WorkerSlot& s : slots_) {
        if (s.pid < 0) next = std::min(next, s.respawn_at);
    }
    itimerval timer{};
    if (next != Clock::time_point::max()) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(next - Clock::now()).count();
        us = std::max<long long>(us, 1000);
        timer.it_value.tv_sec = us / 1000000;
        timer.it_value.tv_usec = us % 1000000;
    }
    ::setitimer(ITIMER_REAL, &timer, nullptr);
}

size_t Master::alive() const {
    return std::count_if(slots_.begin(), slots_.end(), [](const WorkerSlot& s) { return s.pid > 0; });
}

void Master::signal_workers(int sig) {
    for (const WorkerSlot& s : slots_) {
        if (s.pid > 0) ::kill(s.pid, sig);
    }
}

void Master::wait_for_workers(Clock::time_point deadline) {
    sigset_t none;
    sigemptyset(&none);
    while (alive() > 0 && Clock::now() < deadline) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
        itimerval timer{};
        timer.it_value.tv_sec = std::max<long long>(us, 1000) / 1000000;
        timer.it_value.tv_usec = std::max<long long>(us, 1000) % 1000000;
        ::setitimer(ITIMER_REAL, &timer, nullptr);
        if (!got_child) ::sigsuspend(&none);
        got_child = 0;
        reap();
    }
    if (alive() > 0) {
        spdlog::warn("{} worker(s) still running after the stop timeout; killing them", alive());
        signal_workers(SIGKILL);
        while (alive() > 0) {
            int status;
            pid_t pid = ::waitpid(-1, &status, 0);
            if (pid < 0 && errno != EINTR) break;
            for (WorkerSlot& s : slots_) {
                if (s.pid == pid) s.pid = -1;
            }
        }
    }
    itimerval off{};
    ::setitimer(ITIMER_REAL, &off, nullptr);
}

int Master::run() {
    install_signal_handlers();
    for (size_t i = 0; i < slots_.size(); ++i) spawn(i);
    spdlog::info("started {} worker(s)", slots_.size());

    sigset_t none;
    sigemptyset(&none);
    for (;;) {
        arm_alarm();
        if (!(got_child || got_term || got_int || got_quit || got_hup || got_alarm)) ::sigsuspend(&none);
        if (got_child) {
            got_child = 0;
            reap();
        }
        if (got_term || got_int) {
            bool interrupted = got_int;
            stopping_ = true;
            spdlog::info("stopping (fast)");
            signal_workers(SIGTERM);
            wait_for_workers(Clock::now() + std::chrono::seconds(5));
            if (interrupted && setup_.config->command_line_mode) {
                std::printf("\nKeyboard interrupt received, exiting.\n");
                std::fflush(stdout);
            }
            return 0;
        }
        if (got_quit) {
            stopping_ = true;
            spdlog::info("stopping (graceful, up to {} ms)", setup_.config->shutdown_timeout.count());
            signal_workers(SIGQUIT);
            wait_for_workers(Clock::now() + setup_.config->shutdown_timeout);
            return 0;
        }
        if (got_hup) {
            got_hup = 0;
            spdlog::warn("SIGHUP: configuration reload is not implemented yet; nothing changed");
        }
        got_alarm = 0;
        respawn_due();
    }
}

}  // namespace

int run_master(const MasterSetup& setup) {
    Master master(setup);
    return master.run();
}

}  // namespace httpserve
