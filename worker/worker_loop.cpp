#include "ipc/process_entry.hpp"

#include <event2/event.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include "worker/connection.hpp"
#include "worker/peer_address.hpp"
#include "worker/proxy_gate.hpp"
#include "worker/worker_context.hpp"

namespace httpserve {

namespace {

struct EventBaseDeleter {
    void operator()(event_base* b) const { event_base_free(b); }
};
struct EventDeleter {
    void operator()(event* e) const { event_free(e); }
};

void set_accepting(WorkerContext& ctx, bool on) {
    if (on == !ctx.accepting_paused) return;
    ctx.accepting_paused = !on;
    for (event* ev : ctx.listener_events) {
        if (on) event_add(ev, nullptr);
        else event_del(ev);
    }
}

void on_capacity_change(WorkerContext& ctx) {
    if (ctx.stopping) return;
    set_accepting(ctx, ctx.open_connections < ctx.settings.max_connections);
}

// One listening socket as the worker serves it: what its connections are started with.
struct AcceptPoint {
    WorkerContext* ctx = nullptr;
    const ListenAddress* entry = nullptr;  // the [[listen]] entry; null for an unmatched activated socket
    const TlsContext* tls = nullptr;       // set on a TLS listener
};

// A PROXY protocol listener's connection: only trusted peers may say whose connection it is.
void start_proxied(WorkerContext& ctx, const ListenAddress& entry, int fd, const sockaddr_storage& peer) {
    if (!proxy_source_trusted(entry, peer)) {
        ::close(fd);
        ++ctx.proxy.untrusted;
        char client[INET6_ADDRSTRLEN];
        format_peer(peer, client, sizeof client);
        log_proxy_refusal(ctx, client, "not in proxy_trusted");
        return;
    }
    Connection::start_proxied(ctx, fd, peer, entry.proxy_timeout);
}

void on_accept(evutil_socket_t listen_fd, short, void* arg) {
    const AcceptPoint& point = *static_cast<AcceptPoint*>(arg);
    auto& ctx = *point.ctx;
    // Take a batch per wake-up; the other workers share the queue.
    struct Accepted {
        int fd;
        sockaddr_storage peer;
    };
    Accepted batch[64];
    int count = 0;
    const size_t limit = ctx.settings.max_connections;
    const size_t room = limit - std::min(ctx.open_connections, limit);
    while (count < 64 && static_cast<size_t>(count) < room && !ctx.accepting_paused) {
        socklen_t len = sizeof batch[count].peer;
        const int fd =
            ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&batch[count].peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE) {
                spdlog::error("accept: {} (raise LimitNOFILE or lower max_connections)", std::strerror(errno));
            }
            break;  // EAGAIN: another worker took it, or the queue is empty
        }
        batch[count++].fd = fd;
    }
    if (count == 0) return;
    ctx.stats->count(status::Accepted, static_cast<uint64_t>(count));
    // These connections may have come after this loop turn's file-change reports were read (the
    // batch, or another worker taking the one that woke us): read them again before answering.
    // Their requests arrived before they were accepted (TCP_DEFER_ACCEPT), so before this read.
    ctx.files.read_file_changes();
    for (int i = 0; i < count; ++i) {
        if (point.entry && point.entry->proxy_protocol) start_proxied(ctx, *point.entry, batch[i].fd, batch[i].peer);
        else Connection::start(ctx, batch[i].fd, batch[i].peer, point.tls);
    }
    if (ctx.open_connections >= ctx.settings.max_connections) set_accepting(ctx, false);
}

// The PROXY protocol listeners count their refusals in the context; the board gets them once per loop turn.
void publish_proxy_counters(WorkerContext& ctx) {
    ctx.stats->counters[status::ProxyUntrusted].store(ctx.proxy.untrusted, std::memory_order_relaxed);
    ctx.stats->counters[status::ProxyMalformed].store(ctx.proxy.malformed, std::memory_order_relaxed);
    ctx.stats->counters[status::ProxyTimedOut].store(ctx.proxy.timed_out, std::memory_order_relaxed);
}

void on_file_changes(evutil_socket_t, short, void* arg) { static_cast<WorkerContext*>(arg)->files.read_file_changes(); }

void stop_accepting(WorkerContext& ctx) {
    set_accepting(ctx, false);
    ctx.stopping = true;
}

void on_fast_stop(evutil_socket_t, short, void* arg) {
    auto& ctx = *static_cast<WorkerContext*>(arg);
    stop_accepting(ctx);
    while (ctx.connections) ctx.connections->destroy();
    event_base_loopbreak(ctx.base);
}

void on_graceful_stop(evutil_socket_t, short, void* arg) {
    auto& ctx = *static_cast<WorkerContext*>(arg);
    stop_accepting(ctx);
    // Idle connections close now; the others after their current response. The loop ends when no
    // connection and no listener event is left; the master bounds this with shutdown_timeout.
    for (Connection* c = ctx.connections; c;) {
        Connection* next = c->next;
        c->begin_shutdown();
        c = next;
    }
}

}  // namespace

int run_worker(const WorkerStart& start) {
    const Config& config = *start.config;
    std::signal(SIGPIPE, SIG_IGN);

    std::unique_ptr<event_base, EventBaseDeleter> base(event_base_new());
    if (!base) {
        spdlog::error("cannot create the event loop");
        return 1;
    }
    // Two priorities: file-change reports (0) run before the connections (1, the default) of the same
    // loop turn, so that no request is answered from a cache entry whose file has just changed.
    event_base_priority_init(base.get(), 2);
    WorkerContext ctx(config, start.access_log_fd);
    ctx.base = base.get();
    ctx.on_capacity_change = &on_capacity_change;
    ctx.status_board = start.status_board;
    if (start.status_slot) {
        ctx.stats = start.status_slot;
        ctx.stats->pid.store(static_cast<int32_t>(::getpid()), std::memory_order_relaxed);
    }
    UniqueFd cgi_channel(start.cgi_channel_fd);
    if (config.cgi.enabled && cgi_channel) {
        ctx.cgi = std::make_unique<CgiRunner>(ctx.base, std::move(cgi_channel), config.cgi.max_processes);
    }

    std::vector<std::unique_ptr<event, EventDeleter>> events;
    if (const int watch_fd = ctx.files.watch_fd(); watch_fd >= 0) {
        events.emplace_back(event_new(ctx.base, watch_fd, EV_READ | EV_PERSIST, &on_file_changes, &ctx));
        event_priority_set(events.back().get(), 0);
        event_add(events.back().get(), nullptr);
    }
    std::vector<AcceptPoint> accept_points;
    accept_points.reserve(start.listeners.size());  // the events point into it
    for (const ListenSocket& l : start.listeners) {
        accept_points.push_back({&ctx, l.entry, l.tls});
        events.emplace_back(event_new(ctx.base, l.fd, EV_READ | EV_PERSIST, &on_accept, &accept_points.back()));
        ctx.listener_events.push_back(events.back().get());
        event_add(events.back().get(), nullptr);
    }
    std::vector<std::unique_ptr<event, EventDeleter>> signals;
    for (int sig : {SIGTERM, SIGINT}) {
        signals.emplace_back(evsignal_new(ctx.base, sig, &on_fast_stop, &ctx));
        event_add(signals.back().get(), nullptr);
    }
    signals.emplace_back(evsignal_new(ctx.base, SIGQUIT, &on_graceful_stop, &ctx));
    event_add(signals.back().get(), nullptr);

    if (start.ready) start.ready();

    // One loop turn at a time, so that access-log lines are written once per turn.
    while (true) {
        int rc = event_base_loop(ctx.base, EVLOOP_ONCE);
        ctx.access_log.flush();
        publish_proxy_counters(ctx);
        if (rc < 0 || event_base_got_break(ctx.base)) break;
        if (ctx.stopping && ctx.connections == nullptr) break;
    }
    ctx.access_log.flush();
    return 0;
}

}  // namespace httpserve
