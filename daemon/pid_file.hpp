// The pid file: written by the master once its listeners are bound, removed when it exits. Read by
// `httpserve -s` to find the master, and by a second master, which refuses to start while the one
// named there is alive.
#pragma once

#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace httpserve {

struct PidFileError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The process id a pid file's text holds: decimal digits only (at most 10), then any newlines or
// spaces, and more than 1 (no pid file names init) and at most INT_MAX. None for anything else.
std::optional<pid_t> parse_pid_text(std::string_view text);

// The pid written in `path`. Throws PidFileError naming the file when it is missing, unreadable or
// does not hold a process id.
pid_t read_pid_file(const std::string& path);

// True when `pid` is a live httpserve process: it exists, is not a zombie, and (when /proc says) runs
// a program with our name, so that a stale pid file whose number was reused does not count.
bool is_running_httpserve(pid_t pid);

// The pid of a live master named in `path`, if any (no file, garbage, or a dead process: none).
std::optional<pid_t> running_master(const std::string& path);

class PidFile {
public:
    PidFile() = default;
    // Writes this process's pid to `path` through a temporary file and a rename, so that a reader
    // never sees a half-written file. Throws std::runtime_error naming the file.
    explicit PidFile(std::string path);
    PidFile(PidFile&& other) noexcept;
    PidFile& operator=(PidFile&& other) noexcept;
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;
    // Removes the file, if it still names this process.
    ~PidFile();

    const std::string& path() const { return path_; }

private:
    void remove();

    std::string path_;  // "" = none
    pid_t owner_ = -1;
};

}  // namespace httpserve
