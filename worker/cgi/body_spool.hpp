// A request body collected for a CGI script's stdin: in a pipe when it is small enough to fit the
// pipe's buffer, else in an unlinked temporary file. Either way the script reads a finished body at
// its own pace, and the worker never blocks on a script that does not read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/unique_fd.hpp"

namespace httpserve {

class BodySpool {
public:
    static constexpr size_t in_memory_limit = 60 * 1024;  // below the 64 KiB pipe buffer

    // Appends body bytes; false when the temporary file cannot be written (disk full, no /tmp).
    bool append(std::string_view bytes);
    uint64_t size() const { return size_; }

    // The body as a readable fd positioned at its start (a pipe holding it, a temporary file, or
    // /dev/null when empty). Invalid on failure.
    UniqueFd finish();

private:
    bool spill();

    std::string memory_;
    UniqueFd file_;
    uint64_t size_ = 0;
};

}  // namespace httpserve
