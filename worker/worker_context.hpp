// Everything one worker process shares between its connections: the one explicit per-process context.
#pragma once

#include <event2/event.h>

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/unique_fd.hpp"
#include "config/config.hpp"
#include "ipc/status_board.hpp"
#include "worker/access_log.hpp"
#include "worker/cgi/runner.hpp"
#include "worker/file_handler.hpp"
#include "worker/http/http_date.hpp"
#include "worker/http/request_parser.hpp"
#include "worker/proxy_counters.hpp"
#include "worker/static/header_rules.hpp"
#include "worker/static/mime.hpp"
#include "worker/worker_settings.hpp"

namespace httpserve {

class Connection;

struct WorkerContext {
    WorkerContext(const Config& config, int access_log_fd);
    // One per process, referred to by every connection: never copied.
    WorkerContext(const WorkerContext&) = delete;
    WorkerContext& operator=(const WorkerContext&) = delete;

    // Fixed for the worker's lifetime (one configuration generation).
    const Config& config;
    const WorkerSettings settings;  // derived once from config

    // Per-process state.
    event_base* base = nullptr;
    MimeTable mime;
    FileHandler files;
    HeaderRules header_rules;  // [[headers]] and -H
    http::DateCache dates;
    AccessLog access_log;
    std::string server_header = "httpserve/" HTTPSERVE_VERSION;
    bool stopping = false;           // no new requests; connections close after their response
    std::vector<char> read_buffer;   // scratch for reads; a connection keeps only what it has not parsed
    http::Request request;           // reused for every parse (keeps its header vector's capacity)
    std::string head_scratch;        // response heads are built here, then queued
    std::vector<char> send_scratch;  // TLS: small output pieces gathered into one record, file bytes read
    std::string body_scratch;        // discarded request-body bytes

    std::unique_ptr<CgiRunner> cgi;  // set when CGI is enabled and a launcher channel exists
    UniqueFd dev_null;               // stdin of every script without a request body (opened once)
    std::unordered_map<std::string, std::string> server_names;  // local address -> CGI SERVER_NAME

    ProxyCounters proxy;  // connections PROXY protocol listeners refused

    // The status board (ipc/status_board.hpp): `stats` is this worker's slot, or `unshown` when the
    // board had none free, so that counting never needs a test.
    const status::Board* status_board = nullptr;
    status::Slot unshown{};
    status::Slot* stats = &unshown;

    size_t open_connections = 0;
    Connection* connections = nullptr;  // intrusive list, for shutdown

    // Called by the listener code: pause accepting at max_connections, resume below it.
    void (*on_capacity_change)(WorkerContext&) = nullptr;
    std::vector<event*> listener_events;
    bool accepting_paused = false;
};

}  // namespace httpserve
