// What a worker's connections take from the configuration, derived once per generation: the Config
// does not change while a worker runs, so neither does this value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.hpp"
#include "worker/http/request_parser.hpp"

namespace httpserve {

struct WorkerSettings {
    // Timeouts
    Duration header_timeout;     // from the first byte of a request to the end of its head
    Duration body_timeout;       // the longest pause between request-body reads
    Duration send_timeout;       // the longest pause while a response is being sent
    Duration keepalive_timeout;  // idle between two requests

    // Limits
    uint64_t max_body;           // request body bytes; above: 413
    http::ParseLimits limits;    // request line and header lines
    size_t max_head_bytes;       // a whole request head above this: 431
    size_t shortest_line_limit;  // min(max_request_line, max_header_line)
    size_t max_connections;      // open connections per worker; at the limit accepting pauses

    // Protocol
    std::string protocol;  // "HTTP/1.1" or "HTTP/1.0": the status line's version
    bool persistent;       // protocol is HTTP/1.1: connections may be kept open
};

WorkerSettings settings_from(const Config& config);

}  // namespace httpserve
