#include "worker/proxy_gate.hpp"

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "worker/worker_context.hpp"

namespace httpserve {

bool proxy_source_trusted(const ListenAddress& entry, const sockaddr_storage& peer) {
    const auto* address = reinterpret_cast<const sockaddr*>(&peer);
    for (const Cidr& network : entry.proxy_trusted) {
        if (cidr_contains(network, address)) return true;
    }
    return false;
}

void log_proxy_refusal(WorkerContext& ctx, const char* client, const char* why) {
    ProxyCounters& counters = ctx.proxy;
    const time_t now = ::time(nullptr);
    // A flood of bad connections must not become a flood of log lines.
    if (now == counters.last_logged) {
        ++counters.unlogged;
        return;
    }
    counters.last_logged = now;
    if (counters.unlogged > 0) {
        spdlog::warn("PROXY protocol: closed the connection from {}: {} ({} more closed since the last such line)",
                     client, why, counters.unlogged);
    } else {
        spdlog::warn("PROXY protocol: closed the connection from {}: {}", client, why);
    }
    counters.unlogged = 0;
}

}  // namespace httpserve
