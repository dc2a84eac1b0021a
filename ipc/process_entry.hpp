// Where the master hands over to the two kinds of process it forks. The master (daemon/) calls these
// in the child right after fork(); the worker (worker/worker_loop.cpp) and the launcher
// (launcher/launcher_loop.cpp) define them. Declaring them here, between the three, keeps the
// process folders from including each other: each depends only on this contract.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

#include "common/unique_fd.hpp"
#include "ipc/launcher_settings.hpp"
#include "ipc/status_board.hpp"

namespace httpserve {

struct Config;         // config/config.hpp: the worker reads it, this contract only passes it on
struct ListenAddress;  // config/config.hpp: one [[listen]] entry
class TlsContext;      // tls/context.hpp: a TLS listener's context, built by the master

// One inherited listening socket and the [[listen]] entry it serves (what the worker does with its
// connections depends on the entry). `entry` is null for a socket-activated socket no entry matched.
struct ListenSocket {
    int fd = -1;  // non-blocking, listening; shared with the other workers
    const ListenAddress* entry = nullptr;
    const TlsContext* tls = nullptr;  // set: connections speak TLS with this context (the generation's)
};

struct WorkerStart {
    const Config* config = nullptr;
    std::vector<ListenSocket> listeners;
    int access_log_fd = -1;   // -1: off
    int cgi_channel_fd = -1;  // this worker's channel to the CGI launcher (owned from here on); -1: none
    const status::Board* status_board = nullptr;  // shared with the master and the other workers
    status::Slot* status_slot = nullptr;          // this worker's slot on it; null: none was free
    std::function<void()> ready;                  // called once the loop is set up and about to accept (may be empty)
};

// A worker process's life: event loop over the inherited listeners until told to stop. Returns the
// process exit status. SIGTERM/SIGINT stop at once, SIGQUIT gracefully (in-flight responses finish,
// bounded by shutdown_timeout).
int run_worker(const WorkerStart& start);

// The CGI launcher process: one poll() loop over its control channel, the worker channels and a
// signalfd. It answers SPAWN and KILL requests, reaps the scripts and logs how they ended, and stops
// (killing every script's process group) on SIGTERM or when the master goes away. Never returns.
// `master` is the parent's pid, to detect a parent that died before PR_SET_PDEATHSIG took effect.
[[noreturn]] void run_cgi_launcher(UniqueFd control, LauncherSettings settings, pid_t master);

}  // namespace httpserve
