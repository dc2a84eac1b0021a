// Media types by file extension, as Python's SimpleHTTPRequestHandler.guess_type answers them.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "config/config.hpp"

namespace httpserve {

class MimeTable {
public:
    // Built-in table (the mimetypes defaults of Python 3.14/3.15), then `types_file` when it can be read (later
    // lines win, like mimetypes.read), then Python's four overrides (.gz .Z .bz2 .xz), then
    // config.types. Never throws for a missing types_file.
    static MimeTable load(const MimeConfig& config);
    // Built-in table + Python's overrides only (tests).
    static MimeTable builtin();

    // Extension of the last path component (posixpath.splitext rules: a leading dot alone is not an
    // extension), looked up exactly, then lower-cased; else default_type.
    std::string_view lookup(std::string_view path) const;

    void set(std::string ext, std::string type);  // ".ext" -> type

private:
    std::unordered_map<std::string, std::string> by_ext_;
    std::string default_type_ = "application/octet-stream";
};

}  // namespace httpserve
