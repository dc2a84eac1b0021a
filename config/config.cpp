#include "config/config.hpp"

#include <unistd.h>

namespace httpserve {

unsigned Config::effective_workers() const {
    if (workers != 0) return workers;
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? static_cast<unsigned>(cpus) : 1u;  // -1 when the count is unknown
}

// These strings are also the values the config file accepts (load.cpp matches against them).
const char* to_string(SymlinkPolicy policy) {
    switch (policy) {
        case SymlinkPolicy::Follow: return "follow";
        case SymlinkPolicy::InsideRoot: return "inside-root";
        case SymlinkPolicy::Never: return "never";
    }
    return "?";
}

const char* to_string(DotfilePolicy policy) {
    switch (policy) {
        case DotfilePolicy::Serve: return "serve";
        case DotfilePolicy::Deny: return "deny";
    }
    return "?";
}

const char* to_string(AccessLogFormat format) {
    switch (format) {
        case AccessLogFormat::Python: return "python";
        case AccessLogFormat::Common: return "common";
        case AccessLogFormat::Combined: return "combined";
    }
    return "?";
}

const char* to_string(LogLevel level) {
    switch (level) {
        case LogLevel::Debug: return "debug";
        case LogLevel::Info: return "info";
        case LogLevel::Warn: return "warn";
        case LogLevel::Error: return "error";
    }
    return "?";
}

}  // namespace httpserve
