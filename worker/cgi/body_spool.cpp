#include "worker/cgi/body_spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace httpserve {

namespace {

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

}  // namespace

bool BodySpool::spill() {
    // O_TMPFILE: no name ever exists, so nothing is left behind by a crash.
    const char* dir = ::getenv("TMPDIR");
    file_.reset(::open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC | O_EXCL, 0600));
    if (!file_) return false;
    bool ok = write_all(file_.get(), memory_);
    std::string().swap(memory_);
    return ok;
}

bool BodySpool::append(std::string_view bytes) {
    size_ += bytes.size();
    if (!file_) {
        if (memory_.size() + bytes.size() <= in_memory_limit) {
            memory_.append(bytes);
            return true;
        }
        if (!spill()) return false;
    }
    return write_all(file_.get(), bytes);
}

UniqueFd BodySpool::finish() {
    if (file_) {
        if (::lseek(file_.get(), 0, SEEK_SET) != 0) return UniqueFd();
        return std::move(file_);
    }
    if (memory_.empty()) return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return UniqueFd();
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    // Fits the pipe buffer (in_memory_limit < 64 KiB), so this never blocks.
    if (!write_all(write_end.get(), memory_)) return UniqueFd();
    return read_end;
}

}  // namespace httpserve
