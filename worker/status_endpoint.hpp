// [status] path: the operators' status page, answered by the worker itself (before CGI and static
// files) to clients in [status] allow; anyone else gets the 404 of a missing file.
#pragma once

#include "worker/http/request_parser.hpp"
#include "worker/response.hpp"

namespace httpserve {

struct WorkerContext;

// A GET or HEAD whose decoded path is [status] path. False at once when the page is off.
bool wants_status_page(const WorkerContext& ctx, const http::Request& request);

// The page for `client` (printable address: the connection's peer, or its PROXY header's source):
// Prometheus text, or JSON for ?format=json; 404 when `client` is not allowed.
Response status_page(const WorkerContext& ctx, const http::Request& request, const char* client);

}  // namespace httpserve
