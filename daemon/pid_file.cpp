#include "daemon/pid_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string_view>
#include <utility>

#include "common/log_file.hpp"
#include "common/unique_fd.hpp"

namespace httpserve {

namespace {

// The file name of the program a process runs, from /proc/PID/exe; "" and `error` set when it cannot
// be read.
std::string executable_of(const std::string& proc_entry, int& error) {
    char buffer[PATH_MAX];
    const ssize_t n = ::readlink(proc_entry.c_str(), buffer, sizeof buffer - 1);
    if (n <= 0) {
        error = n < 0 ? errno : ENOENT;
        return "";
    }
    std::string path(buffer, static_cast<size_t>(n));
    constexpr std::string_view deleted = " (deleted)";  // the binary was replaced by an upgrade
    if (path.size() > deleted.size() && path.compare(path.size() - deleted.size(), deleted.size(), deleted) == 0) {
        path.resize(path.size() - deleted.size());
    }
    return path.substr(path.rfind('/') + 1);
}

}  // namespace

std::optional<pid_t> parse_pid_text(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    long value = 0;
    bool valid = !text.empty() && text.size() <= 10;
    for (char c : text) {
        if (c < '0' || c > '9') valid = false;
        if (valid) value = value * 10 + (c - '0');
    }
    if (!valid || value <= 1 || value > INT_MAX) return std::nullopt;
    return static_cast<pid_t>(value);
}

pid_t read_pid_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
        const int error = errno;
        throw PidFileError("cannot read pid_file " + path + ": " +
                           (error == ELOOP ? "it is a symbolic link, which is not followed" : std::strerror(error)) +
                           (error == ENOENT ? " (is httpserve running?)" : ""));
    }
    char buffer[32];
    ssize_t n;
    do { n = ::read(fd.get(), buffer, sizeof buffer - 1); } while (n < 0 && errno == EINTR);
    if (n < 0) {
        const int error = errno;
        throw PidFileError("cannot read pid_file " + path + ": " + std::strerror(error));
    }
    const std::optional<pid_t> pid = parse_pid_text(std::string_view(buffer, static_cast<size_t>(n)));
    if (!pid) throw PidFileError("pid_file " + path + " does not hold a process id");
    return *pid;
}

bool is_running_httpserve(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    int error = 0;
    const std::string theirs = executable_of("/proc/" + std::to_string(pid) + "/exe", error);
    if (theirs.empty()) return error != ENOENT;  // ENOENT: gone or a zombie; EACCES: assume it is ours
    const std::string ours = executable_of("/proc/self/exe", error);
    return ours.empty() || theirs == ours;
}

std::optional<pid_t> running_master(const std::string& path) {
    try {
        const pid_t pid = read_pid_file(path);
        if (pid != ::getpid() && is_running_httpserve(pid)) return pid;
    } catch (const PidFileError&) {}
    return std::nullopt;
}

PidFile::PidFile(std::string path) : path_(std::move(path)), owner_(::getpid()) {
    const std::string temporary = path_ + ".tmp." + std::to_string(owner_);
    try {
        check_folder_not_shared(path_, "pid_file");
    } catch (...) {
        path_.clear();
        throw;
    }
    // The temporary is new, never a file or a symbolic link left at that name (by a crash, or planted:
    // unlink removes the link, not its target); the rename replaces whatever is at `path` without
    // following it.
    const auto create = [&] {
        return UniqueFd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    };
    UniqueFd fd = create();
    if (!fd && errno == EEXIST && ::unlink(temporary.c_str()) == 0) fd = create();
    const std::string text = std::to_string(owner_) + "\n";
    if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::rename(temporary.c_str(), path_.c_str()) != 0) {
        const int error = errno;
        if (fd) ::unlink(temporary.c_str());
        const std::string wanted = std::exchange(path_, std::string());
        throw std::runtime_error("cannot write pid_file " + wanted + ": " + std::strerror(error));
    }
}

PidFile::PidFile(PidFile&& other) noexcept
    : path_(std::exchange(other.path_, std::string())), owner_(std::exchange(other.owner_, -1)) {}

PidFile& PidFile::operator=(PidFile&& other) noexcept {
    if (this != &other) {
        remove();
        path_ = std::exchange(other.path_, std::string());
        owner_ = std::exchange(other.owner_, -1);
    }
    return *this;
}

PidFile::~PidFile() { remove(); }

void PidFile::remove() {
    // Only the process that wrote it removes it (a forked worker never does), and only while it
    // still names us: a newer master may have replaced it.
    if (path_.empty() || owner_ != ::getpid()) return;
    try {
        if (read_pid_file(path_) == owner_) ::unlink(path_.c_str());
    } catch (const PidFileError&) {}
    path_.clear();
}

}  // namespace httpserve
