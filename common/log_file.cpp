#include "common/log_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace httpserve {

namespace {

std::string folder_of(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void check_folder_not_shared(const std::string& path, const std::string& what, long file_owner) {
    const std::string folder = folder_of(path);
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0) return;  // the open that follows says why
    if (!(st.st_mode & S_IWOTH)) return;
    const std::string prefix = "cannot open " + what + " " + path + ": ";
    if (!(st.st_mode & S_ISVTX)) {
        throw std::runtime_error(prefix + "its folder " + folder + " is writable by every user");
    }
    if (file_owner >= 0 && static_cast<uid_t>(file_owner) != ::geteuid()) {
        throw std::runtime_error(prefix + "it belongs to another user (uid " + std::to_string(file_owner) + ") in " +
                                 folder + ", which every user may write to");
    }
}

UniqueFd open_log_file(const std::string& path, const std::string& what) {
    const std::string prefix = "cannot open " + what + " " + path + ": ";
    check_folder_not_shared(path, what);
    // O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of blocking the master.
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0640));
    if (!fd) {
        const int error = errno;
        throw std::runtime_error(prefix + (error == ELOOP ? "it is a symbolic link, which is not followed"
                                                          : std::string(std::strerror(error))));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw std::runtime_error(prefix + std::strerror(errno));
    if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) throw std::runtime_error(prefix + "not a regular file");
    check_folder_not_shared(path, what, static_cast<long>(st.st_uid));
    ::fcntl(fd.get(), F_SETFL, O_APPEND);  // blocking again
    return fd;
}

void FdSink::sink_it_(const spdlog::details::log_msg& msg) {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    const char* data = line.data();
    size_t left = line.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_.get(), data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a full disk: the line is lost, the server goes on
        data += n;
        left -= static_cast<size_t>(n);
    }
}

}  // namespace httpserve
