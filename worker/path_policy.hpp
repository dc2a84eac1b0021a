// The [files] rules a path below the root must pass before anything is served or run from it:
// `dotfiles` and `symlinks`. One piece for the static handler and for CGI, so that a script is
// refused exactly where its file would be, with the same answer.
#pragma once

#include <string>
#include <string_view>

#include "config/config.hpp"

namespace httpserve {

class PathPolicy {
public:
    explicit PathPolicy(const FilesConfig& files);

    // `relative`: the part of the path the dotfile rule looks at (below the root, or a name within
    // a folder already allowed); `fs_path`: the whole path on disk, root included, for the symlink
    // rule. A missing path is allowed: the stat that follows answers it.
    bool allows(std::string_view relative, const std::string& fs_path) const;

    // files.root without a trailing slash ("" for "/"): what fs_path starts with.
    const std::string& root() const { return root_; }

private:
    DotfilePolicy dotfiles_;
    SymlinkPolicy symlinks_;
    std::string root_;
    std::string real_root_;  // realpath(root), for symlinks = "inside-root"
};

}  // namespace httpserve
