#include "common/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include "common/log_file.hpp"

namespace httpserve {

namespace {
spdlog::level::level_enum to_spdlog(LogLevel level) {
    switch (level) {
        case LogLevel::Debug: return spdlog::level::debug;
        case LogLevel::Info: return spdlog::level::info;
        case LogLevel::Warn: return spdlog::level::warn;
        case LogLevel::Error: return spdlog::level::err;
    }
    return spdlog::level::info;
}
}  // namespace

void setup_error_log(const std::string& target, LogLevel level) {
    std::shared_ptr<spdlog::logger> logger;
    if (target == "stderr" || target.empty()) {
        // Synchronous, unlocked sink: workers are single-threaded and fork() must not copy a lock.
        logger = std::make_shared<spdlog::logger>("httpserve", std::make_shared<spdlog::sinks::stderr_sink_st>());
    } else {
        logger =
            std::make_shared<spdlog::logger>("httpserve", std::make_shared<FdSink>(open_log_file(target, "error log")));
    }
    logger->set_level(to_spdlog(level));
    logger->flush_on(spdlog::level::trace);
    logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] [%P] %v");
    spdlog::set_default_logger(logger);
}

void set_log_role(const std::string& role) {
    spdlog::default_logger()->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] [" + role + " %P] %v");
}

}  // namespace httpserve
