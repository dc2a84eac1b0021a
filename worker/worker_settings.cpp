#include "worker/worker_settings.hpp"

#include <algorithm>

namespace httpserve {

WorkerSettings settings_from(const Config& config) {
    const HttpConfig& http = config.http;
    return WorkerSettings{
        .header_timeout = http.header_timeout,
        .body_timeout = http.body_timeout,
        .send_timeout = http.send_timeout,
        .keepalive_timeout = http.keepalive_timeout,
        .max_body = http.max_body,
        .limits = {.max_request_line = http.max_request_line,
                   .max_header_lines = http.max_header_lines,
                   .max_header_line = http.max_header_line},
        // 1 MiB, or more when one configured line alone is longer.
        .max_head_bytes = std::max<size_t>(1 << 20, http.max_request_line + http.max_header_line),
        .shortest_line_limit = std::min(http.max_request_line, http.max_header_line),
        .max_connections = http.max_connections,
        .protocol = http.protocol,
        .persistent = http.persistent_connections(),
    };
}

}  // namespace httpserve
