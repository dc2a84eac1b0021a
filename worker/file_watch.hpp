// inotify watches that tell the file cache when a cached path may have changed, so that a cached file
// is served without a stat() per request.
//
// A path is watched together with every folder above it, up to "/": a change to the file (write,
// chmod, delete, rename) or to any folder on the way (an entry renamed, deleted, replaced, a chmod)
// reports that path. Paths through a symbolic link are not watched (a link's target can change out
// of sight); the cache keeps checking those with stat(). The kernel queues events as changes happen;
// the worker reads them before serving the requests of the same loop turn (a higher event priority).
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/unique_fd.hpp"

namespace httpserve {

class FileWatch {
public:
    FileWatch();  // without inotify (or out of instances) it stays inactive: watch() returns false

    bool active() const { return static_cast<bool>(fd_); }
    int fd() const { return fd_.get(); }

    // Watches `path` (an absolute path to a regular file) and its folders. True when any later change
    // will be reported; false when it cannot be (a symlink on the way, no inotify, the watch limit).
    // Call it before reading what the path holds, so that no change slips in between.
    bool watch(const std::string& path);

    // Watches the folders above `path`, a path that does not exist, so that its appearing is reported
    // (its folder is watched for new entries as well). The same "before reading" rule applies.
    bool watch_absent(const std::string& path);

    // Reads the queued events and calls `changed` with each path that may have changed: everything at
    // that path or below it is stale ("/" after an overflow of the queue). Watches below such a path
    // are dropped; watch() adds them again.
    void read_events(const std::function<void(const std::string& changed)>& changed);

    // Drops every watch.
    void clear();

private:
    bool watch_one(const std::string& path, bool directory);
    void forget_below(const std::string& prefix);

    UniqueFd fd_;
    std::unordered_map<std::string, int> watched_;             // path -> watch descriptor
    std::unordered_map<int, std::vector<std::string>> paths_;  // descriptor -> paths (hard links share one)
    std::unordered_set<std::string> creations_;                // watched folders that report new entries too
};

// True when `key` is `prefix` or lies below it ("/" is above everything).
bool path_at_or_below(const std::string& key, const std::string& prefix);

}  // namespace httpserve
