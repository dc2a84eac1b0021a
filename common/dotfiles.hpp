// The files.dotfiles rule, which static files, the worker's CGI dispatch and the CGI launcher all
// apply: a path is hidden when any of its components starts with '.' (".." included).
#pragma once

#include <string_view>

namespace httpserve {

// True when any component of the relative path `relative` starts with '.'.
constexpr bool has_dot_component(std::string_view relative) {
    return relative.starts_with('.') || relative.find("/.") != std::string_view::npos;
}

}  // namespace httpserve
