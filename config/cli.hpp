// The command line: Python's `[port] [-b ADDR] [-d DIR] [--cgi] [-p VERSION] [--tls-cert PATH]
// [--tls-key PATH] [--tls-password-file PATH] [-H NAME VALUE]... [--content-type TYPE]`, plus
// -c FILE, -t, -s SIGNAL, --version and -h.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace httpserve {

struct CommandLine {
    std::optional<uint16_t> port;
    std::optional<std::string> bind;
    std::optional<std::string> directory;
    bool cgi = false;
    std::optional<std::string> protocol;
    std::optional<std::string> tls_cert;  // Python 3.14's --tls-cert, --tls-key, --tls-password-file
    std::optional<std::string> tls_key;
    std::optional<std::string> tls_password_file;
    std::vector<std::pair<std::string, std::string>> headers;  // -H NAME VALUE, in order (Python 3.15)
    std::optional<std::string> content_type;                   // --content-type (Python 3.15)
    std::optional<std::string> config_file;
    bool check_only = false;                 // -t
    std::optional<std::string> signal_name;  // -s: "reload", "stop", "quit" or "reopen"
    bool show_version = false;
    bool show_help = false;
};

// Thrown for a bad command line; main prints usage_text() and "httpserve: error: <what>" on stderr
// and exits with status 2 (argparse's convention).
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

CommandLine parse_command_line(int argc, const char* const* argv);
std::string usage_text();
std::string help_text();

// The command line alone (Python's defaults, root = -d or the current folder) or, with -c, the file
// with the command-line flags laid over it. Throws ConfigError (from the file) or UsageError (e.g. a
// missing -d folder).
Config build_config(const CommandLine& cli);

}  // namespace httpserve
