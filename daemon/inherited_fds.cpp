#include "daemon/inherited_fds.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "daemon/socket_activation.hpp"

namespace httpserve {

namespace {

// Without close_range (kernels before 5.9): every entry of /proc/self/fd from `first` on.
void close_listed_from(int first) {
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir) return;
    std::vector<int> open;
    while (const dirent* entry = ::readdir(dir)) {
        char* end = nullptr;
        const long fd = std::strtol(entry->d_name, &end, 10);
        if (end != entry->d_name && *end == '\0' && fd >= first && fd != ::dirfd(dir)) open.push_back(int(fd));
    }
    ::closedir(dir);
    for (int fd : open) ::close(fd);
}

}  // namespace

void close_inherited_descriptors() {
    // The passed sockets are numbered from 3 without gaps, so everything after them goes.
    const int first = 3 + activated_socket_count();
    if (::close_range(static_cast<unsigned>(first), ~0u, 0) != 0) close_listed_from(first);
}

}  // namespace httpserve
