// A worker generation: the workers forked from one configuration, with the listeners and the access
// log they were given. Start-up, a reload and a log reopen each start one; the one it replaces drains
// (stops accepting, finishes what it is doing) and goes away with the last of its workers, releasing
// the listeners and the access log no other generation uses.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "config/config.hpp"
#include "daemon/listeners.hpp"
#include "daemon/privileges.hpp"
#include "ipc/status_board.hpp"
#include "tls/context.hpp"

namespace httpserve {

using Clock = std::chrono::steady_clock;

struct WorkerSlot {
    pid_t pid = -1;
    bool ready = false;  // the current process reported that it accepts
    Clock::time_point started{};
    Clock::time_point respawn_at{};  // when pid < 0
    unsigned failed_starts = 0;      // deaths in a row before being ready or within a second of starting
    std::string last_error;          // what the last failed start reported
    status::Slot* status = nullptr;  // the current process's slot on the status board, if it got one
};

enum class GenerationState {
    Starting,  // forked, not every worker ready yet
    Serving,   // the generation in service
    Draining,  // told to stop (SIGQUIT or SIGTERM); not respawned; killed at `deadline`
};

struct Generation {
    // Opens the access log of `config` (a file: a fresh descriptor, so that a reopen really reopens)
    // and the report pipe. `tls`: one per entry of config->listen (build_tls_contexts). Throws
    // std::runtime_error.
    Generation(unsigned number, std::shared_ptr<const Config> config, Account account,
               std::vector<ListenerRef> listeners, std::vector<TlsContextRef> tls = {});

    unsigned number;
    std::shared_ptr<const Config> config;
    Account account;
    std::vector<ListenerRef> listeners;
    std::vector<const ListenAddress*> entries;         // per listener: the entry of `config` it serves, or null
    std::vector<TlsContextRef> tls;                    // per entry of config->listen: its context, or null
    const TlsContext* tls_for(size_t listener) const;  // the context listener `listener` serves with
    UniqueFd access_log;                               // owned when the access log is a file
    int access_log_fd = -1;                            // what workers write to: access_log, stderr, stdout or -1 (off)
    UniqueFd report_read, report_write;                // workers -> master (daemon/worker_report.hpp)
    std::vector<WorkerSlot> slots;
    bool reload = false;  // started by a reload (not at start-up, not by a log reopen)
    GenerationState state = GenerationState::Starting;
    Clock::time_point deadline{};  // Draining: workers still alive then are killed
    bool killed = false;           // the deadline passed and SIGKILL was sent

    size_t alive() const;
    size_t ready() const;  // live workers that reported ready
    bool all_ready() const;
    WorkerSlot* slot_of(pid_t pid);
    void signal_all(int sig) const;
    // Every descriptor this generation's workers need (listeners, access log, report pipe's write end).
    std::vector<int> fds_for_workers() const;
    // Every descriptor the master holds for this generation.
    std::vector<int> fds_held() const;
};

}  // namespace httpserve
