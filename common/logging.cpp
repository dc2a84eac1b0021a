#include "common/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "common/escape.hpp"
#include "common/log_file.hpp"

namespace httpserve {

namespace {

// The message of a line (the pattern's %*), escaped by append_log_escaped. Messages carry request
// targets, script names and script output; escaping here, for every message of every process,
// means no call site can forget it.
class EscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        std::string escaped;
        append_log_escaped(escaped, std::string_view(msg.payload.data(), msg.payload.size()), LogBackslashes::Keep);
        dest.append(escaped.data(), escaped.data() + escaped.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessage>(); }
};

// "[time] [level] [role pid] message"; `role` is empty before set_log_role.
std::unique_ptr<spdlog::formatter> line_formatter(const std::string& role) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<EscapedMessage>('*').set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] [" +
                                                         (role.empty() ? std::string() : role + " ") + "%P] %*");
    return formatter;
}

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
    logger->set_formatter(line_formatter(""));
    spdlog::set_default_logger(logger);
}

void set_log_role(const std::string& role) { spdlog::default_logger()->set_formatter(line_formatter(role)); }

}  // namespace httpserve
