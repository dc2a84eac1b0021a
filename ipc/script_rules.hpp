// The pure checks the CGI launcher applies to a script path before it opens it (what needs the file
// system is done on the opened descriptor, in launcher/spawn_child.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace httpserve {

// `root` + a configured CGI directory ("/cgi-bin"): "/srv/www" + "/cgi-bin" = "/srv/www/cgi-bin".
std::string cgi_folder_path(std::string_view root, std::string_view directory);

// `path` is `folder` itself or lies below it. Both absolute and canonical (realpath'd): this is a
// string comparison on whole path components ("/a/cgi-binx" is not inside "/a/cgi-bin").
bool is_inside_folder(std::string_view path, std::string_view folder);

// What `path` names below `folder`, as written and without leading slashes ("" for the folder
// itself), when it lies inside it by `is_inside_folder`. Nothing is resolved here: the launcher opens
// the result beneath the folder, which is where "..", symlinks and renames are dealt with.
std::optional<std::string_view> relative_to_folder(std::string_view path, std::string_view folder);

}  // namespace httpserve
