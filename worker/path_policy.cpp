#include "worker/path_policy.hpp"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>

#include "common/dotfiles.hpp"

namespace httpserve {

namespace {

std::string realpath_or_empty(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) return {};
    return buf;
}

// True when `path` or any folder above it (up to `root`) is a symbolic link.
bool has_symlink_below(const std::string& root, const std::string& path) {
    struct stat st;
    std::string current = path;
    while (current.size() > root.size()) {
        if (::lstat(current.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) return true;
        auto slash = current.rfind('/');
        if (slash == std::string::npos) break;
        current.resize(slash);
    }
    return false;
}

}  // namespace

PathPolicy::PathPolicy(const FilesConfig& files)
    : dotfiles_(files.dotfiles), symlinks_(files.symlinks), root_(files.root) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
    if (root_ == "/") root_.clear();
    real_root_ = realpath_or_empty(root_.empty() ? "/" : root_);
}

bool PathPolicy::allows(std::string_view relative, const std::string& fs_path) const {
    if (dotfiles_ == DotfilePolicy::Deny && has_dot_component(relative)) return false;
    switch (symlinks_) {
        case SymlinkPolicy::Follow: return true;
        case SymlinkPolicy::Never: return !has_symlink_below(root_, fs_path);
        case SymlinkPolicy::InsideRoot: {
            std::string real = realpath_or_empty(fs_path);
            if (real.empty()) return true;  // missing: the stat that follows answers 404
            if (real_root_ == "/") return true;
            return real == real_root_ ||
                   (real.size() > real_root_.size() && real.compare(0, real_root_.size(), real_root_) == 0 &&
                    real[real_root_.size()] == '/');
        }
    }
    return false;
}

}  // namespace httpserve
