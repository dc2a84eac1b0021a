#include "worker/file_watch.hpp"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace httpserve {

namespace {

// A file: its content, its mode and owner, its removal or renaming.
constexpr uint32_t file_mask = IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_DONT_FOLLOW;
// A folder: an entry renamed, removed or chmod-ed, and the folder's own mode, removal or renaming.
// (A new entry changes no existing path: IN_CREATE is left out.)
constexpr uint32_t folder_mask =
    IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW;

}  // namespace

bool path_at_or_below(const std::string& key, const std::string& prefix) {
    if (prefix == "/") return true;
    return key.size() >= prefix.size() && key.compare(0, prefix.size(), prefix) == 0 &&
           (key.size() == prefix.size() || key[prefix.size()] == '/');
}

FileWatch::FileWatch() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}

bool FileWatch::watch(const std::string& path) {
    if (!fd_ || path.empty() || path[0] != '/') return false;
    // Folders from the top down, then the file. Watched folders are known already: no syscall.
    if (!watch_one("/", true)) return false;
    for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        if (!watch_one(path.substr(0, slash), true)) return false;
    }
    return watch_one(path, false);
}

bool FileWatch::watch_absent(const std::string& path) {
    const size_t last = path.rfind('/');
    if (!fd_ || path.empty() || path[0] != '/' || last + 1 == path.size()) return false;
    if (!watch_one("/", true)) return false;
    for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        if (!watch_one(path.substr(0, slash), true)) return false;
    }
    const std::string folder = last == 0 ? "/" : path.substr(0, last);
    if (creations_.count(folder)) return true;
    // The folder's watch gains IN_CREATE (only here: elsewhere a new entry changes no known path).
    const int wd = ::inotify_add_watch(fd_.get(), folder.c_str(), folder_mask | IN_CREATE | IN_MASK_ADD);
    if (wd < 0) return false;
    if (watched_.at(folder) != wd) return false;  // replaced since it was watched: its event is queued
    creations_.insert(folder);
    return true;
}

bool FileWatch::watch_one(const std::string& path, bool directory) {
    if (watched_.count(path)) return true;
    // IN_DONT_FOLLOW watches a symlink itself; its target's changes would go unseen. So: none on the way.
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return false;
    if (directory ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) return false;
    const int wd = ::inotify_add_watch(fd_.get(), path.c_str(), directory ? folder_mask : file_mask);
    if (wd < 0) return false;  // ENOSPC: the per-user watch limit; the cache falls back to stat()
    watched_.emplace(path, wd);
    std::vector<std::string>& paths = paths_[wd];
    if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
    return true;
}

void FileWatch::read_events(const std::function<void(const std::string& changed)>& changed) {
    if (!fd_) return;
    alignas(inotify_event) char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
        if (n <= 0) return;  // EAGAIN: all read
        for (ssize_t offset = 0; offset < n;) {
            const auto* ev = reinterpret_cast<const inotify_event*>(buffer + offset);
            offset += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
            if (ev->mask & IN_Q_OVERFLOW) {
                clear();
                changed("/");
                continue;
            }
            auto it = paths_.find(ev->wd);
            if (it == paths_.end()) continue;  // a watch dropped already
            const std::vector<std::string> paths = it->second;
            for (const std::string& base : paths) {
                std::string path = base;
                if (ev->len > 0 && ev->name[0] != '\0') {
                    if (path != "/") path.push_back('/');
                    path.append(ev->name);
                }
                forget_below(path);
                changed(path);
            }
            if (ev->mask & IN_IGNORED) {
                for (const std::string& base : paths) {
                    watched_.erase(base);
                    creations_.erase(base);
                }
                paths_.erase(ev->wd);
            }
        }
    }
}

void FileWatch::forget_below(const std::string& prefix) {
    for (auto it = watched_.begin(); it != watched_.end();) {
        if (!path_at_or_below(it->first, prefix)) {
            ++it;
            continue;
        }
        const int wd = it->second;
        creations_.erase(it->first);
        it = watched_.erase(it);
        auto p = paths_.find(wd);
        if (p == paths_.end()) continue;
        std::vector<std::string>& paths = p->second;
        paths.erase(std::remove_if(paths.begin(), paths.end(),
                                   [&](const std::string& s) { return path_at_or_below(s, prefix); }),
                    paths.end());
        if (paths.empty()) {
            paths_.erase(p);
            ::inotify_rm_watch(fd_.get(), wd);  // its IN_IGNORED then finds no paths: skipped
        }
    }
}

void FileWatch::clear() {
    for (const auto& [wd, paths] : paths_) ::inotify_rm_watch(fd_.get(), wd);
    watched_.clear();
    paths_.clear();
    creations_.clear();
}

}  // namespace httpserve
