// Opening a log file (or another file the master writes as root, like the pid file) without being
// led elsewhere: a symbolic link planted at the path is refused, not followed, and so is a folder
// that every user may write to (anyone could swap the file there). The error log's spdlog sink
// writes to such a descriptor.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <string>

#include "common/unique_fd.hpp"

namespace httpserve {

// Throws std::runtime_error("cannot open <what> <path>: ...") when the folder holding `path` is
// writable by every user without the sticky bit, or, with the sticky bit (/tmp), when `file_owner`
// (>= 0) is not this process's user: it was planted there. `file_owner` -1: not created yet.
void check_folder_not_shared(const std::string& path, const std::string& what, long file_owner = -1);

// O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode 0640; the result must be a regular
// file or a character device (/dev/null), never a FIFO that would block. Throws std::runtime_error
// naming `what` ("error log") and the path.
UniqueFd open_log_file(const std::string& path, const std::string& what);

// One write(2) per line to an O_APPEND descriptor: lines of the master, the workers and the launcher
// never interleave, and nothing is buffered across a fork().
class FdSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    explicit FdSink(UniqueFd fd) : fd_(std::move(fd)) {}

private:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override {}

    UniqueFd fd_;
};

}  // namespace httpserve
