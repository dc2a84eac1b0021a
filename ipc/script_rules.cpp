#include "ipc/script_rules.hpp"

namespace httpserve {

namespace {
std::string_view without_trailing_slashes(std::string_view s) {
    while (!s.empty() && s.back() == '/') s.remove_suffix(1);
    return s;
}
}  // namespace

std::string cgi_folder_path(std::string_view root, std::string_view directory) {
    std::string out(without_trailing_slashes(root));
    while (!directory.empty() && directory.front() == '/') directory.remove_prefix(1);
    directory = without_trailing_slashes(directory);
    out += '/';
    out += directory;
    if (out.size() > 1 && out.back() == '/') out.pop_back();  // empty directory: the root itself
    return out;
}

bool is_inside_folder(std::string_view path, std::string_view folder) {
    if (folder.empty() || folder.front() != '/' || path.empty() || path.front() != '/') return false;
    folder = without_trailing_slashes(folder);  // "/" becomes "": everything is inside it
    if (!path.starts_with(folder)) return false;
    return path.size() == folder.size() || path[folder.size()] == '/' || folder.empty();
}

std::optional<std::string_view> relative_to_folder(std::string_view path, std::string_view folder) {
    if (!is_inside_folder(path, folder)) return std::nullopt;
    path.remove_prefix(without_trailing_slashes(folder).size());
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    return path;
}

}  // namespace httpserve
