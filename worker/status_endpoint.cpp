#include "worker/status_endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "worker/static/path_map.hpp"
#include "worker/status_page.hpp"
#include "worker/worker_context.hpp"

namespace httpserve {

namespace {

std::string_view path_of(std::string_view target, std::string& collapsed) {
    // As for files: extra leading slashes go first.
    if (target.size() >= 2 && target[0] == '/' && target[1] == '/') {
        collapsed = collapse_leading_slashes(target);
        target = collapsed;
    }
    return split_target(target).path;
}

bool wants_json(std::string_view target) {
    std::string_view query = split_target(target).query;
    while (!query.empty()) {
        const size_t amp = query.find('&');
        if (query.substr(0, amp) == "format=json") return true;
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return false;
}

// The client address comes from the connection as text: parsed back into a socket address for the
// CIDR match (an IPv4 peer of a dual-stack socket is ::ffff:a.b.c.d, which matches IPv4 networks).
bool allowed(const std::vector<Cidr>& allow, const char* client) {
    sockaddr_storage peer{};
    auto& v4 = reinterpret_cast<sockaddr_in&>(peer);
    auto& v6 = reinterpret_cast<sockaddr_in6&>(peer);
    if (::inet_pton(AF_INET, client, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
    } else if (::inet_pton(AF_INET6, client, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
    } else {
        return false;
    }
    for (const Cidr& network : allow) {
        if (cidr_contains(network, reinterpret_cast<const sockaddr*>(&peer))) return true;
    }
    return false;
}

}  // namespace

bool wants_status_page(const WorkerContext& ctx, const http::Request& request) {
    const std::string& path = ctx.config.status.path;
    if (path.empty()) return false;
    if (request.method != "GET" && request.method != "HEAD") return false;
    std::string collapsed;
    return percent_decode(path_of(request.target, collapsed)) == path;
}

Response status_page(const WorkerContext& ctx, const http::Request& request, const char* client) {
    if (!ctx.status_board || !allowed(ctx.config.status.allow, client)) return error_response(404, "File not found");
    const status::Snapshot snapshot = ctx.status_board->snapshot();
    Response r;
    if (wants_json(request.target)) {
        r.add_header("Content-Type", "application/json");
        r.set_memory_body(render_status_json(snapshot));
    } else {
        r.add_header("Content-Type", prometheus_content_type);
        r.set_memory_body(render_status_prometheus(snapshot));
    }
    r.add_header("Cache-Control", "no-store");
    return r;
}

}  // namespace httpserve
