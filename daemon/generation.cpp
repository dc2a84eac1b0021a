#include "daemon/generation.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/log_file.hpp"

namespace httpserve {

Generation::Generation(unsigned number_, std::shared_ptr<const Config> config_, Account account_,
                       std::vector<ListenerRef> listeners_, std::vector<TlsContextRef> tls_)
    : number(number_),
      config(std::move(config_)),
      account(std::move(account_)),
      listeners(std::move(listeners_)),
      tls(std::move(tls_)) {
    for (const ListenerRef& l : listeners) entries.push_back(entry_for(*l, config->listen));
    const LogConfig& log = config->log;
    if (log.access == "stderr") {
        access_log_fd = STDERR_FILENO;
    } else if (log.access == "stdout") {
        access_log_fd = STDOUT_FILENO;
    } else if (log.access != "off") {
        access_log = open_log_file(log.access, "access log");
        access_log_fd = access_log.get();
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    report_read.reset(pipe_fds[0]);
    report_write.reset(pipe_fds[1]);
    slots.resize(config->effective_workers());
}

const TlsContext* Generation::tls_for(size_t listener) const {
    const ListenAddress* entry = entries[listener];
    if (!entry) return nullptr;
    const auto index = static_cast<size_t>(entry - config->listen.data());
    return index < tls.size() ? tls[index].get() : nullptr;
}

size_t Generation::alive() const {
    return static_cast<size_t>(
        std::count_if(slots.begin(), slots.end(), [](const WorkerSlot& s) { return s.pid > 0; }));
}

size_t Generation::ready() const {
    return static_cast<size_t>(
        std::count_if(slots.begin(), slots.end(), [](const WorkerSlot& s) { return s.pid > 0 && s.ready; }));
}

bool Generation::all_ready() const { return ready() == slots.size(); }

WorkerSlot* Generation::slot_of(pid_t pid) {
    auto it = std::find_if(slots.begin(), slots.end(), [pid](const WorkerSlot& s) { return s.pid == pid; });
    return it == slots.end() ? nullptr : &*it;
}

void Generation::signal_all(int sig) const {
    for (const WorkerSlot& s : slots) {
        if (s.pid > 0) ::kill(s.pid, sig);
    }
}

std::vector<int> Generation::fds_for_workers() const {
    std::vector<int> fds;
    for (const ListenerRef& l : listeners) fds.push_back(l->fd.get());
    if (access_log) fds.push_back(access_log.get());
    fds.push_back(report_write.get());
    return fds;
}

std::vector<int> Generation::fds_held() const {
    std::vector<int> fds = fds_for_workers();
    fds.push_back(report_read.get());
    return fds;
}

}  // namespace httpserve
