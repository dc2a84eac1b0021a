#include "worker/worker_context.hpp"

#include <algorithm>

namespace httpserve {

WorkerContext::WorkerContext(const Config& cfg, int access_log_fd)
    : config(cfg),
      mime(MimeTable::load(cfg.mime)),
      files(cfg.files, mime),
      access_log(access_log_fd, cfg.log.access_format),
      persistent(cfg.http.persistent_connections()),
      read_buffer(64 * 1024) {
    limits.max_request_line = cfg.http.max_request_line;
    limits.max_header_lines = cfg.http.max_header_lines;
    limits.max_header_line = cfg.http.max_header_line;
    // 1 MiB, or more when one configured line alone is longer.
    max_head_bytes = std::max<size_t>(1 << 20, cfg.http.max_request_line + cfg.http.max_header_line);
    shortest_line_limit = std::min(cfg.http.max_request_line, cfg.http.max_header_line);
}

}  // namespace httpserve
