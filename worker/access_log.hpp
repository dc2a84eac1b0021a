// The access log: one line per request in Python's, the common or the combined format. Lines are
// gathered in memory and written once per event-loop turn.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace httpserve {

struct AccessRecord {
    std::string_view client;        // "127.0.0.1", "::ffff:127.0.0.1", "::1"
    std::string_view request_line;  // as received, without the line ending
    int status = 0;
    uint64_t bytes = 0;  // body bytes sent
    std::string_view referer;
    std::string_view user_agent;
    std::string_view error_message;  // python format: a "code N, message M" line comes first
};

class AccessLog {
public:
    // fd < 0: logging off. The fd is not owned (the master opened it and keeps it).
    AccessLog(int fd, AccessLogFormat format) : fd_(fd), format_(format) {}

    bool enabled() const { return fd_ >= 0; }
    void add(const AccessRecord& record, std::time_t now);
    void flush();

private:
    void append_python_time(std::time_t now);
    void append_clf_time(std::time_t now);
    void append_escaped(std::string_view text);
    void append_line_start(std::string_view client, std::time_t now);  // "client - - [time] "
    void append_request(const AccessRecord& r);                        // "\"request line\" status"

    int fd_;
    AccessLogFormat format_;
    std::string buffer_;
    std::time_t cached_time_ = -1;
    std::string python_time_;
    std::string clf_time_;
};

}  // namespace httpserve
