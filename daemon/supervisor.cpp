#include "daemon/supervisor.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/logging.hpp"
#include "config/load.hpp"
#include "daemon/generation.hpp"
#include "daemon/inherited_fds.hpp"
#include "daemon/launcher_config.hpp"
#include "daemon/launcher_handle.hpp"
#include "daemon/listeners.hpp"
#include "daemon/pid_file.hpp"
#include "daemon/privileges.hpp"
#include "daemon/respawn.hpp"
#include "daemon/sd_notify.hpp"
#include "daemon/socket_activation.hpp"
#include "daemon/startup_checks.hpp"
#include "daemon/worker_report.hpp"
#include "ipc/process_entry.hpp"
#include "tls/context.hpp"
#include "tls/ticket_keys.hpp"

namespace httpserve {

namespace {

using namespace std::chrono_literals;

// Signal handlers can only reach data through globals: these flags are the daemon's only mutable
// globals. Only the handlers set them; only the master's loop clears them. The signals are blocked
// except inside ppoll(), so the loop never misses one between testing the flags and waiting.
volatile sig_atomic_t got_child = 0;
volatile sig_atomic_t got_term = 0;
volatile sig_atomic_t got_int = 0;
volatile sig_atomic_t got_quit = 0;
volatile sig_atomic_t got_hup = 0;
volatile sig_atomic_t got_usr1 = 0;

void on_signal(int sig) {
    switch (sig) {
        case SIGCHLD: got_child = 1; break;
        case SIGTERM: got_term = 1; break;
        case SIGINT: got_int = 1; break;
        case SIGQUIT: got_quit = 1; break;
        case SIGHUP: got_hup = 1; break;
        case SIGUSR1: got_usr1 = 1; break;
        default: break;
    }
}

bool any_signal() { return got_child || got_term || got_int || got_quit || got_hup || got_usr1; }

constexpr int master_signals[] = {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1};

// Failed starts, respawn delays and giving up: daemon/respawn.hpp.
constexpr auto fast_stop_timeout = 5s;

class Master {
public:
    explicit Master(const CommandLine& cli) : cli_(cli) {}

    int run(Config config);

private:
    void install_signal_handlers();
    void start(Config config);
    // HUP (reopen_only false) and USR1: a new generation with the new (or the same) configuration and
    // freshly opened logs. Whatever fails, nothing changes.
    void reconfigure(bool reopen_only);
    void add_generation(std::unique_ptr<Generation> generation);
    void spawn(Generation& g, size_t index);
    [[noreturn]] void worker_main(Generation& g, size_t index, UniqueFd cgi_channel);
    // CGI: the launcher runs while any configuration enables CGI; new settings reach it on reload.
    void apply_cgi_settings(const Config& config, const std::optional<LauncherSettings>& settings);
    void close_other_generations_fds(const Generation& g) const;
    // The TLS contexts of `config`, with the ticket keys a new generation gets (rotated on a reload).
    // `warnings`: certificates about to expire (logged here as well).
    std::vector<TlsContextRef> tls_contexts(const Config& config, std::shared_ptr<const TicketKeys>& keys,
                                            std::vector<std::string>& warnings) const;
    void drain(Generation& g, int sig, Clock::time_point deadline);
    void wait_for_events();
    void read_reports();
    void reap();
    void on_worker_exit(Generation& g, WorkerSlot& slot, int status);
    void advance();
    void promote();
    void give_up(const std::string& reason);
    void respawn_due();
    void begin_stop(bool fast);
    std::vector<ListenerRef> listeners_in_use() const;
    Generation* newest() const { return starting_ ? starting_ : serving_; }
    std::string status_line() const;

    const CommandLine& cli_;
    CgiLauncher launcher_;
    std::list<std::unique_ptr<Generation>> generations_;  // oldest first
    Generation* serving_ = nullptr;                       // in service; nullptr until the first generation is ready
    Generation* starting_ = nullptr;                      // forked, not ready yet
    std::vector<ListenerRef> activated_;                  // passed by systemd: part of every generation
    std::shared_ptr<const TicketKeys> ticket_keys_;       // the newest generation's session-ticket keys
    std::vector<std::string> certificate_warnings_;       // the newest configuration's: shown in STATUS=
    PidFile pid_file_;
    Notifier notifier_;
    // Mapped before anything is forked, so that every worker shares it; the master gives out its slots
    // and keeps the totals of workers that exited.
    status::Board board_;
    unsigned last_number_ = 0;
    std::string last_reload_ = "none";
    bool command_line_mode_ = false;
    enum class Stop { No, Graceful, Fast } stop_ = Stop::No;
    bool interrupted_ = false;  // stopped by SIGINT
    int exit_status_ = 0;
    pid_t master_pid_ = ::getpid();
};

void Master::install_signal_handlers() {
    sigset_t block;
    sigemptyset(&block);
    for (int sig : master_signals) sigaddset(&block, sig);
    sigprocmask(SIG_BLOCK, &block, nullptr);  // delivered only inside ppoll()
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : master_signals) sigaction(sig, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

void Master::start(Config config) {
    // First: a reload asked for as soon as the pid_file exists must not kill us.
    install_signal_handlers();
    setup_error_log(config.log.error, config.log.level);
    set_log_role("master");
    try {
        board_ = status::Board(status::Board::default_slots);
    } catch (const std::exception& e) { spdlog::warn("{}; the status page stays empty", e.what()); }
    if (!config.pid_file.empty()) {
        if (std::optional<pid_t> other = running_master(config.pid_file)) {
            throw std::runtime_error("another httpserve master is running (pid " + std::to_string(*other) +
                                     ", named in " + config.pid_file + ")");
        }
    }
    // Before anything is bound or printed: a refused account is an error, not a served port.
    CheckedAccounts checked = check_accounts(config);
    const Account& account = checked.workers;
    // Certificates and keys, read now while the master may: the workers inherit the loaded contexts.
    std::shared_ptr<const TicketKeys> keys;
    std::vector<TlsContextRef> tls = tls_contexts(config, keys, certificate_warnings_);
    for (UniqueFd& fd : take_activated_sockets()) {
        activated_.push_back(std::make_shared<const Listener>(adopt_listener(std::move(fd))));
    }
    ListenerChanges changes;
    std::vector<ListenerRef> listeners = assemble_listeners(config.listen, activated_, &changes);
    for (const ListenerRef& l : listeners) {
        const ListenAddress* entry = entry_for(*l, config.listen);
        std::cout << serving_line(*l, entry && entry->tls()) << "\n";
    }
    std::cout.flush();  // tests and scripts read the port from this line at once
    for (const ListenerRef& l : activated_) {
        spdlog::info("using the socket passed by systemd (fd {}) for {}", l->fd.get(), describe(*l));
    }
    for (const ListenerRef& l : changes.unmatched) {
        spdlog::warn("the socket passed by systemd for {} matches no [[listen]] entry; serving on it anyway",
                     describe(*l));
    }
    for (const std::string& warning : account.warnings) spdlog::warn("{}", warning);
    if (account.switch_needed) spdlog::info("workers run as user '{}', group '{}'", account.user, account.group);
    command_line_mode_ = config.command_line_mode;
    apply_cgi_settings(config, checked.cgi);

    auto shared = std::make_shared<const Config>(std::move(config));
    auto generation =
        std::make_unique<Generation>(last_number_ + 1, shared, account, std::move(listeners), std::move(tls));
    ticket_keys_ = std::move(keys);
    if (!shared->pid_file.empty()) pid_file_ = PidFile(shared->pid_file);
    last_number_ = generation->number;
    add_generation(std::move(generation));
}

std::vector<ListenerRef> Master::listeners_in_use() const {
    std::vector<ListenerRef> all = activated_;
    for (const auto& g : generations_) {
        for (const ListenerRef& l : g->listeners) {
            if (std::find(all.begin(), all.end(), l) == all.end()) all.push_back(l);
        }
    }
    return all;
}

void Master::reconfigure(bool reopen_only) {
    const std::string what = reopen_only ? "reopening the logs" : "reloading the configuration";
    spdlog::info("{} ({})", what, reopen_only ? "SIGUSR1" : "SIGHUP");
    if (reopen_only) {
        if (launcher_.pid > 0) ::kill(launcher_.pid, SIGUSR1);  // it reopens its own error log
        notifier_.status("reopening the logs");
    } else {
        notifier_.reloading(what);
    }
    const Generation& current = *newest();
    try {
        std::shared_ptr<const Config> config =
            reopen_only ? current.config : std::make_shared<const Config>(build_config(cli_));
        // Checked before anything changes: an impossible user or cgi.user refuses the whole reload.
        CheckedAccounts checked;
        if (reopen_only) {
            checked.workers = current.account;
        } else {
            checked = check_accounts(*config);
        }
        const Account& account = checked.workers;
        const std::optional<LauncherSettings>& cgi_settings = checked.cgi;
        // New certificates for new connections; a log reopen keeps the contexts it has.
        std::shared_ptr<const TicketKeys> keys = ticket_keys_;
        std::vector<std::string> warnings = certificate_warnings_;
        std::vector<TlsContextRef> tls = reopen_only ? current.tls : tls_contexts(*config, keys, warnings);
        ListenerChanges changes;
        std::vector<ListenerRef> listeners = assemble_listeners(config->listen, listeners_in_use(), &changes);
        PidFile pid_file;
        const bool pid_file_moves = config->pid_file != pid_file_.path();
        if (pid_file_moves && !config->pid_file.empty()) pid_file = PidFile(config->pid_file);
        auto generation =
            std::make_unique<Generation>(last_number_ + 1, config, account, std::move(listeners), std::move(tls));
        generation->reload = !reopen_only || (starting_ && starting_->reload);
        // Last, as it cannot be undone; it replaces the logger only once the new file is open.
        setup_error_log(config->log.error, config->log.level);
        set_log_role("master");

        if (pid_file_moves) pid_file_ = std::move(pid_file);  // removes the old file
        ticket_keys_ = std::move(keys);
        certificate_warnings_ = std::move(warnings);
        if (cgi_settings) apply_cgi_settings(*config, cgi_settings);
        for (const ListenerRef& l : changes.bound) spdlog::info("listening on {}", describe(*l));
        if (!reopen_only) {
            for (const std::string& warning : account.warnings) spdlog::warn("{}", warning);
        }
        if (account.switch_needed && (account.uid != current.account.uid || account.gid != current.account.gid)) {
            spdlog::info("workers run as user '{}', group '{}'", account.user, account.group);
        }
        if (starting_) {
            spdlog::warn("generation {} is replaced before it was ready", starting_->number);
            Generation& abandoned = *starting_;
            starting_ = nullptr;
            drain(abandoned, SIGQUIT, Clock::now() + abandoned.config->shutdown_timeout);
        }
        last_number_ = generation->number;
        add_generation(std::move(generation));
    } catch (const std::exception& e) {
        spdlog::error("{} failed, nothing changed: {}", what, e.what());
        if (!reopen_only) last_reload_ = std::string("failed: ") + e.what();
        notifier_.ready(status_line());
    }
}

void Master::add_generation(std::unique_ptr<Generation> generation) {
    Generation& g = *generation;
    generations_.push_back(std::move(generation));
    starting_ = &g;
    for (size_t i = 0; i < g.slots.size(); ++i) spawn(g, i);
    spdlog::info("generation {}: started {} worker(s)", g.number, g.slots.size());
}

void Master::apply_cgi_settings(const Config& config, const std::optional<LauncherSettings>& settings) {
    if (!config.cgi.enabled || !settings) return;
    if (launcher_.pid > 0) {
        if (!update_cgi_launcher(launcher_, *settings)) spdlog::error("cgi: could not update the launcher");
        return;
    }
    launcher_ = start_cgi_launcher(*settings);
    spdlog::info("cgi: launcher started, pid {}", launcher_.pid);
}

void Master::spawn(Generation& g, size_t index) {
    WorkerSlot& slot = g.slots[index];
    slot.ready = false;
    slot.last_error.clear();
    // The worker's own channel to the launcher; the master's copy closes when this function returns.
    UniqueFd cgi_channel;
    if (g.config->cgi.enabled && launcher_.pid > 0) cgi_channel = connect_worker(launcher_);
    slot.status = board_.claim(static_cast<uint32_t>(index + 1), g.number);
    if (!slot.status && board_) {
        spdlog::warn("generation {}: worker {} gets no status board slot (all {} are taken); it is not counted",
                     g.number, index + 1, board_.capacity());
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        spdlog::error("fork: {}", std::strerror(errno));
        board_.retire(slot.status);
        slot.status = nullptr;
        slot.respawn_at = Clock::now() + 1s;
        return;
    }
    if (pid == 0) worker_main(g, index, std::move(cgi_channel));
    if (slot.status) slot.status->pid.store(static_cast<int32_t>(pid), std::memory_order_relaxed);
    slot.pid = pid;
    slot.started = Clock::now();
    spdlog::debug("generation {}: worker {} started, pid {}", g.number, index + 1, pid);
}

std::vector<TlsContextRef> Master::tls_contexts(const Config& config, std::shared_ptr<const TicketKeys>& keys,
                                                std::vector<std::string>& warnings) const {
    warnings.clear();
    if (!any_tls_listener(config)) return {};
    // A reload seals new tickets with a new key; the previous one still opens the tickets issued
    // before, on any worker.
    keys = keys ? keys->rotated() : TicketKeys::fresh();
    std::vector<TlsContextRef> contexts = build_tls_contexts(config, keys);
    warnings = expiry_warnings(contexts, std::chrono::system_clock::now());
    for (const std::string& warning : warnings) spdlog::warn("{}", warning);
    return contexts;
}

void Master::close_other_generations_fds(const Generation& g) const {
    const std::vector<int> keep = g.fds_for_workers();
    for (const auto& other : generations_) {
        for (int fd : other->fds_held()) {
            if (fd >= 0 && std::find(keep.begin(), keep.end(), fd) == keep.end()) ::close(fd);
        }
    }
}

void Master::worker_main(Generation& g, size_t index, UniqueFd cgi_channel) {
    // Default dispositions for what the worker's loop handles itself. The master's signal mask stays
    // until the loop is ready, so that an early SIGQUIT waits for it instead of killing the process.
    for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGQUIT}) std::signal(sig, SIG_DFL);
    std::signal(SIGHUP, SIG_IGN);
    std::signal(SIGUSR1, SIG_IGN);
    close_other_generations_fds(g);  // e.g. a listener this generation dropped must close with the old one
    launcher_.control.reset();       // only the master may change the launcher's settings
    launcher_.pid = -1;
    notifier_.close();
    set_log_role("worker " + std::to_string(index + 1));
    const int report_fd = g.report_write.get();
    bool reported = false;
    try {
        try {
            switch_to_account(g.account);
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot switch to user '" + g.account.user + "': " + e.what());
        }
        // A worker must not outlive its master (set after the switch: a credential change clears it).
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != master_pid_) std::_Exit(0);  // the master died before prctl took effect
        const std::string& root = g.config->files.root;
        if (::access(root.c_str(), R_OK | X_OK) != 0) {
            const int error = errno;
            throw std::runtime_error("cannot read the root folder " + root +
                                     (g.account.switch_needed ? " as user '" + g.account.user + "'" : "") + ": " +
                                     std::strerror(error));
        }
        WorkerStart start;
        start.config = g.config.get();
        for (size_t i = 0; i < g.listeners.size(); ++i)
            start.listeners.push_back({g.listeners[i]->fd.get(), g.entries[i], g.tls_for(i)});
        start.access_log_fd = g.access_log_fd;
        start.cgi_channel_fd = cgi_channel.release();
        start.status_board = board_ ? &board_ : nullptr;
        start.status_slot = g.slots[index].status;
        start.ready = [&] {
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, nullptr);
            send_worker_report(report_fd, true, "");
            ::close(report_fd);
            reported = true;
        };
        const int status = run_worker(start);
        if (!reported) send_worker_report(report_fd, false, "the event loop could not be set up");
        std::fflush(nullptr);
        std::_Exit(status);
    } catch (const std::exception& e) {
        // The master logs it, with the worker's number and what it does next.
        if (!reported) send_worker_report(report_fd, false, e.what());
    } catch (...) {
        if (!reported) send_worker_report(report_fd, false, "unknown error");
    }
    std::fflush(nullptr);
    std::_Exit(3);
}

void Master::drain(Generation& g, int sig, Clock::time_point deadline) {
    if (g.state != GenerationState::Draining) {
        g.deadline = deadline;
    } else {
        g.deadline = std::min(g.deadline, deadline);
    }
    g.state = GenerationState::Draining;
    g.signal_all(sig);
}

void Master::wait_for_events() {
    std::vector<pollfd> fds;
    for (const auto& g : generations_) fds.push_back({g->report_read.get(), POLLIN, 0});
    if (notifier_.waiting()) fds.push_back({notifier_.fd(), POLLOUT, 0});
    std::optional<Clock::time_point> next;
    const auto consider = [&next](Clock::time_point t) { next = next ? std::min(*next, t) : t; };
    for (const auto& g : generations_) {
        if (g->state == GenerationState::Draining) {
            if (!g->killed && g->alive() > 0) consider(g->deadline);
        } else if (stop_ == Stop::No) {
            for (const WorkerSlot& s : g->slots) {
                if (s.pid < 0) consider(s.respawn_at);
            }
        }
    }
    timespec timeout{};
    if (next) {
        const auto ns =
            std::max<long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(*next - Clock::now()).count(), 0);
        timeout.tv_sec = static_cast<time_t>(ns / 1000000000);
        timeout.tv_nsec = static_cast<long>(ns % 1000000000);
    }
    sigset_t none;
    sigemptyset(&none);
    // ppoll is sigsuspend that also wakes when a worker reports: signals are only let in here.
    if (!any_signal()) ::ppoll(fds.data(), fds.size(), next ? &timeout : nullptr, &none);
    notifier_.flush();
}

void Master::read_reports() {
    for (const auto& g : generations_) {
        for (const WorkerReport& report : read_worker_reports(g->report_read.get())) {
            WorkerSlot* slot = g->slot_of(report.pid);
            if (!slot) continue;
            if (report.ok) {
                slot->ready = true;
            } else {
                slot->last_error = report.reason;
            }
        }
    }
}

void Master::reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == launcher_.pid) {
            launcher_.pid = -1;
            launcher_.control.reset();
            if (stop_ == Stop::No) {
                // Workers connected to it see their channel closed; later workers get the new one.
                spdlog::error("cgi: the launcher {}; starting a new one", describe_exit(status));
                const Generation* g = newest();
                if (g) {
                    try {
                        apply_cgi_settings(*g->config, launcher_settings_from(*g->config));
                    } catch (const std::exception& e) {
                        spdlog::error("cgi: cannot restart the launcher: {}", e.what());
                    }
                }
            }
            continue;
        }
        read_reports();  // the worker wrote before it exited: what it says is in the pipe now
        for (const auto& g : generations_) {
            if (WorkerSlot* slot = g->slot_of(pid)) {
                on_worker_exit(*g, *slot, status);
                break;
            }
        }
    }
}

void Master::on_worker_exit(Generation& g, WorkerSlot& slot, int status) {
    const pid_t pid = slot.pid;
    const size_t index = static_cast<size_t>(&slot - g.slots.data());
    const bool was_ready = slot.ready;
    board_.retire(slot.status);  // its counts join the totals, whatever it left on the board
    slot.status = nullptr;
    slot.pid = -1;
    slot.ready = false;
    if (g.state == GenerationState::Draining) {
        spdlog::debug("generation {}: worker {} (pid {}) {}", g.number, index + 1, pid, describe_exit(status));
        return;
    }
    const auto now = Clock::now();
    const bool failed_start = is_failed_start(was_ready, now - slot.started);
    slot.failed_starts = failed_start ? slot.failed_starts + 1 : 0;
    // A worker that dies at once is restarted after a growing pause: a broken setup must not turn
    // into a fork storm.
    const auto delay = respawn_delay(slot.failed_starts);
    slot.respawn_at = now + delay;
    const std::string next = delay.count() ? "; next try in " + std::to_string(delay.count()) + " ms" : "";
    if (!slot.last_error.empty()) {  // it reported why
        spdlog::error("generation {}: worker {} (pid {}) could not start: {}{}", g.number, index + 1, pid,
                      slot.last_error, next);
    } else {
        spdlog::error("generation {}: worker {} (pid {}) {}{}", g.number, index + 1, pid, describe_exit(status), next);
        slot.last_error =
            "a worker " + describe_exit(status) + (was_ready ? " right after starting" : " before it was ready");
    }
}

void Master::promote() {
    Generation* old = serving_;
    serving_ = starting_;
    starting_ = nullptr;
    serving_->state = GenerationState::Serving;
    board_.set_generation(serving_->number);
    if (old && serving_->reload) board_.count_reload();
    if (old) {
        drain(*old, SIGQUIT, Clock::now() + old->config->shutdown_timeout);
        if (serving_->reload) last_reload_ = "ok (generation " + std::to_string(serving_->number) + ")";
        spdlog::info("generation {} serving with {} worker(s); generation {} stops", serving_->number,
                     serving_->slots.size(), old->number);
    } else {
        spdlog::info("generation {} serving with {} worker(s)", serving_->number, serving_->slots.size());
    }
    notifier_.ready(status_line());
}

void Master::give_up(const std::string& reason) {
    const std::string message = "no worker can stay up (each one failed " + std::to_string(max_failed_starts) +
                                " times in a row right after starting): " + reason;
    spdlog::critical("{}; exiting", message);
    if (newest() && newest()->config->log.error != "stderr") std::cerr << "httpserve: " << message << "\n";
    notifier_.status(message);
    exit_status_ = 1;
    begin_stop(true);
}

void Master::advance() {
    const auto now = Clock::now();
    if (starting_ && starting_->all_ready()) promote();
    if (starting_) {
        auto failing = std::find_if(starting_->slots.begin(), starting_->slots.end(),
                                    [](const WorkerSlot& s) { return s.failed_starts >= max_failed_starts; });
        if (failing != starting_->slots.end()) {
            if (!serving_) {
                give_up(failing->last_error);
            } else {
                const std::string reason = "the workers of generation " + std::to_string(starting_->number) +
                                           " cannot start: " + failing->last_error;
                spdlog::error("{} failed, generation {} keeps serving: {}", starting_->reload ? "reload" : "log reopen",
                              serving_->number, reason);
                if (starting_->reload) last_reload_ = "failed: " + reason;
                Generation& abandoned = *starting_;
                starting_ = nullptr;
                drain(abandoned, SIGQUIT, now + abandoned.config->shutdown_timeout);
                notifier_.ready(status_line());
            }
        }
    }
    if (serving_ && !starting_ && serving_->ready() == 0 &&
        std::all_of(serving_->slots.begin(), serving_->slots.end(),
                    [](const WorkerSlot& s) { return s.failed_starts >= max_failed_starts; })) {
        give_up(serving_->slots.front().last_error);
    }
    for (const auto& g : generations_) {
        if (g->state == GenerationState::Draining && !g->killed && g->alive() > 0 && now >= g->deadline) {
            spdlog::warn("generation {}: {} worker(s) still running after the stop timeout; killing them", g->number,
                         g->alive());
            g->signal_all(SIGKILL);
            g->killed = true;
        }
    }
    // A finished generation goes, and with it the listeners and access log only it used.
    for (auto it = generations_.begin(); it != generations_.end();) {
        const Generation& g = **it;
        if (g.state != GenerationState::Draining || g.alive() > 0) {
            ++it;
            continue;
        }
        for (const ListenerRef& l : g.listeners) {
            if (l.use_count() == 1) spdlog::info("no longer listening on {}", describe(*l));
        }
        spdlog::debug("generation {} has exited", g.number);
        it = generations_.erase(it);
    }
}

void Master::respawn_due() {
    if (stop_ != Stop::No) return;
    const auto now = Clock::now();
    for (const auto& g : generations_) {
        if (g->state == GenerationState::Draining) continue;
        for (size_t i = 0; i < g->slots.size(); ++i) {
            if (g->slots[i].pid < 0 && g->slots[i].respawn_at <= now) spawn(*g, i);
        }
    }
}

void Master::begin_stop(bool fast) {
    const auto now = Clock::now();
    if (fast) {
        if (stop_ == Stop::Fast) return;
        stop_ = Stop::Fast;
        if (exit_status_ == 0) spdlog::info("stopping (fast)");
        notifier_.stopping("stopping");
        for (const auto& g : generations_) drain(*g, SIGTERM, now + fast_stop_timeout);
    } else {
        if (stop_ != Stop::No) return;
        stop_ = Stop::Graceful;
        const Generation* g = newest();
        spdlog::info("stopping (graceful, up to {} ms)", g ? g->config->shutdown_timeout.count() : 0);
        notifier_.stopping("stopping gracefully");
        for (const auto& gen : generations_) {
            if (gen->state != GenerationState::Draining) drain(*gen, SIGQUIT, now + gen->config->shutdown_timeout);
        }
    }
    serving_ = nullptr;
    starting_ = nullptr;
}

std::string Master::status_line() const {
    const Generation* g = newest();
    if (!g) return "stopping";
    std::string line = "generation " + std::to_string(g->number) + ", " + std::to_string(g->ready()) + " of " +
                       std::to_string(g->slots.size()) + " workers ready; last reload: " + last_reload_;
    for (const std::string& warning : certificate_warnings_) line += "; " + warning;
    return line;
}

int Master::run(Config config) {
    start(std::move(config));
    for (;;) {
        wait_for_events();
        read_reports();  // before reaping: a worker reports why it failed, then exits
        if (got_child) {
            got_child = 0;
            reap();
        }
        if (got_term || got_int) {
            interrupted_ = interrupted_ || got_int;
            got_term = 0;
            got_int = 0;
            begin_stop(true);
        }
        if (got_quit) {
            got_quit = 0;
            begin_stop(false);
        }
        if (got_hup) {
            got_hup = 0;
            if (stop_ == Stop::No) reconfigure(false);
        }
        if (got_usr1) {
            got_usr1 = 0;
            if (stop_ == Stop::No) reconfigure(true);
        }
        advance();
        if (stop_ != Stop::No && generations_.empty()) break;
        respawn_due();
    }
    stop_cgi_launcher(launcher_);
    if (interrupted_ && command_line_mode_) {
        std::printf("\nKeyboard interrupt received, exiting.\n");
        std::fflush(stdout);
    }
    return exit_status_;
}

}  // namespace

int run_master(const CommandLine& cli, Config config) {
    close_inherited_descriptors();
    Master master(cli);
    return master.run(std::move(config));
}

}  // namespace httpserve
