// The error log (spdlog). One logger per process, set up by the master before forking; workers
// inherit the open file. Every message is escaped on its way out (append_log_escaped: control bytes,
// C1 controls and ill-formed UTF-8 as \xNN), so a request target, script name or script output
// passed to spdlog can never split or forge a line, whichever call site logs it.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

#include "common/log_level.hpp"

namespace httpserve {

// `target`: "stderr" or a file path (opened for append). Throws std::runtime_error when the file
// cannot be opened.
void setup_error_log(const std::string& target, LogLevel level);

// Tags every following line with the process role, e.g. "master", "worker 3".
void set_log_role(const std::string& role);

}  // namespace httpserve
