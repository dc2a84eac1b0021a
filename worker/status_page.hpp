// The operators' status page: a board snapshot as Prometheus text (exposition format 0.0.4) or as
// JSON. Pure functions, so that the exact output is unit-tested.
#pragma once

#include <string>

#include "ipc/status_board.hpp"

namespace httpserve {

inline constexpr const char* prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

// Totals are metrics of their own (`httpserve_requests_total`); each live worker's are
// `httpserve_worker_...` with worker, pid and generation labels, so that summing a metric never
// counts anything twice. The totals include workers that have exited.
std::string render_status_prometheus(const status::Snapshot& snapshot);
std::string render_status_json(const status::Snapshot& snapshot);

}  // namespace httpserve
