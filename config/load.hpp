// TOML file -> Config, with validation. Every error names the file, the line and the key.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace httpserve {

struct ConfigError : std::runtime_error {
    ConfigError(std::string file, int line, std::string key, std::string message);
    std::string file;
    int line;         // 0 when unknown
    std::string key;  // dotted, e.g. "http.max_body"; "" when the error is not about one key
    std::string message;
};

// Reads and validates `path`. Relative paths inside (files.root, log files, pid_file) are made
// absolute against the file's folder. Throws ConfigError.
Config load_config_file(const std::string& path);

// Same, from text already in memory (tests, fuzzing). `file_name` is used in errors, `base_dir` to
// resolve relative paths.
Config load_config_text(std::string_view text, const std::string& file_name, const std::string& base_dir);

}  // namespace httpserve
