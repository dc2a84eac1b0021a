#include "worker/worker_context.hpp"

namespace httpserve {

WorkerContext::WorkerContext(const Config& cfg, int access_log_fd)
    : config(cfg),
      settings(settings_from(cfg)),
      mime(MimeTable::load(cfg.mime)),
      files(cfg.files, mime),
      header_rules(cfg.headers),
      access_log(access_log_fd, cfg.log.access_format),
      read_buffer(64 * 1024),
      send_scratch(16 * 1024) {}

}  // namespace httpserve
